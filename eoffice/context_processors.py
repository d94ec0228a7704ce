"""What every officials' page needs to know about the session."""


def second_factor(request) -> dict:
    """``classified_hidden``: the official is cleared for classified records but this session has no second
    factor yet, so lists leave them out. Said for every cleared official alike, whether or not anything is
    waiting, so it reveals nothing about what exists."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith(("/admin/", "/api/", "/account/")):
        return {}
    official = getattr(user, "official", None)
    if official is None or not official.clearance:
        return {}
    from eoffice import twofactor

    if not twofactor.enabled():
        return {}
    return {"classified_hidden": not twofactor.is_verified(request)}
