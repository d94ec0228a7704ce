"""Aware datetimes in Bangkok time for the reminder tests."""
import datetime as dt

from eoffice.thai import BANGKOK


def bkk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BANGKOK)
