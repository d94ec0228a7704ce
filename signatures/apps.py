from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "signatures"
    verbose_name = "ลายมือชื่ออิเล็กทรอนิกส์"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from correspondence.signals import item_registered

        from . import receivers

        item_registered.connect(receivers.on_item_registered, dispatch_uid="signatures.item_registered")
