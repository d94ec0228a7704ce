"""manage.py mail_intake: the SMTP server of the e-mail intake, in the foreground until SIGTERM or Ctrl-C."""
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from correspondence import mail_intake


class Command(BaseCommand):
    help = ("รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์: เครื่องแม่ข่าย SMTP ที่รับข้อความถึงที่อยู่รับหนังสือของหน่วยงาน "
            "(EOFFICE_MAIL_INTAKE_BIND) แล้วสร้างหนังสือรับรอลงทะเบียน")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=None, help="host:port (default EOFFICE_MAIL_INTAKE_BIND)")

    def handle(self, *args, bind, **options):
        try:
            host, port = mail_intake.parse_bind(bind or settings.EOFFICE_MAIL_INTAKE_BIND)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        server = mail_intake.controller(host, port)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        try:
            server.start()
        except Exception as exc:  # the port taken, an address not on this machine
            raise CommandError(f"the mail intake cannot listen on {host}:{port}: {exc}") from None
        self.stdout.write(f"mail intake listening on {host}:{port} "
                          f"(messages up to {mail_intake.message_size_limit()} bytes)")
        try:
            while not stop.wait(1):
                pass
        finally:
            server.stop()
            self.stdout.write("mail intake stopped")
