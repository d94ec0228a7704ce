"""Shared pieces of the admin pages."""
import datetime as dt
import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ReadOnlyAdmin:
    """Records written only by the portal's services (registers, logs, notifications): the admin shows them,
    never adds, edits or deletes them. Mixed in before ModelAdmin, TabularInline or GuardedModelAdmin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# How a kind of record is counted in Thai (ลักษณนาม); any other kind counts in รายการ.
_CLASSIFIERS = {
    "correspondence.letter": "ฉบับ",
    "correspondence.incomingitem": "ฉบับ",
    "correspondence.registerbook": "เล่ม",
    "agencies.official": "คน",
    "agencies.agency": "แห่ง",
}
_HISTORY = "ประวัติการแก้ไข"


def dependents_of(objs, using: str) -> dict[str, int]:
    """The records that keep ``objs`` from being deleted, counted by kind (Thai name and classifier, e.g.
    ``{"หนังสือ ฉบับ": 12}``): those on a PROTECT or RESTRICT foreign key, and rows of the append-only
    history that the deletion would have to change (its acting user set to null: the database refuses)."""
    from django.contrib.admin.utils import NestedObjects

    from eoffice.audit import is_chained

    collector = NestedObjects(using=using)
    collector.collect(objs)
    counts = {}

    def add(kind, n):
        if n:
            counts[kind] = counts.get(kind, 0) + n

    for obj in collector.protected:
        opts = obj._meta
        add((str(opts.verbose_name), _CLASSIFIERS.get(opts.label_lower, "รายการ")), 1)
    for (field, _value), batches in collector.field_updates.items():
        if is_chained(field.model):
            add((_HISTORY, "รายการ"), sum(len(b) if isinstance(b, (list, set, tuple)) else b.count() for b in batches))
    return counts


class DeleteRefusal(list):
    """What the delete pages list as "protected", with ``reason``: one Thai sentence saying which records
    depend on what was to be deleted (templates/admin/delete_*confirmation.html show it)."""

    reason = ""


class DependentsRefuseDelete:
    """A row others depend on is not deleted, and the delete page says why in Thai: "มีหนังสือ ๑๒ ฉบับ
    เจ้าหน้าที่ ๓ คน อ้างถึงส่วนราชการนี้ จึงลบไม่ได้ — …". Django's own page names a permission instead
    (the records in the way are read-only in the admin, so "your account cannot delete หนังสือ") and
    lists each record by name, classified subjects included; a user named in the append-only history
    gave a 500. Mixed in before ModelAdmin; ``delete_instead`` says what to do instead."""

    delete_instead = ""

    def get_deleted_objects(self, objs, request):
        from django.db import router

        from eoffice import thai

        counts = dependents_of(objs, router.db_for_write(self.model))
        if not counts:
            return super().get_deleted_objects(objs, request)
        refusal = DeleteRefusal(f"{name} {thai.to_thai_digits(str(n))} {unit}" for (name, unit), n in sorted(counts.items()))
        one = len(objs) == 1  # the object of the delete page, or the rows chosen for the delete action
        what = f"{self.model._meta.verbose_name}{'นี้' if one else 'ที่เลือก'}"
        refusal.reason = f"มี{' '.join(refusal)} อ้างถึง{what} จึงลบไม่ได้" + (f" — {self.delete_instead}" if self.delete_instead else "")
        # Nothing is deleted: no list of what would go, and no permission to ask for.
        return [], {}, set(), refusal


def _buddhist_era(value) -> str:
    """``๒๙ ก.ย. ๒๕๖๓ ๑๓.๐๕ น.`` for a date-time (in Bangkok time), ``๒๙ ก.ย. ๒๕๖๓`` for a date."""
    from django.utils import timezone

    from eoffice import thai

    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, thai.BANGKOK)
        return thai.format_moment(value)
    return thai.format_date(value, "short_year4")


def _readable_json(value) -> str:
    """Indented, with Thai as Thai (Django shows JSON on one line with every Thai letter as \\uXXXX)."""
    from django.utils.html import format_html

    text = json.dumps(value, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    return format_html('<pre class="readable-json">{}</pre>', text)


def _shown_as(field):
    """How the admin shows a value of ``field`` that it only shows, when not as Django would."""
    if isinstance(field, models.DateField):  # DateTimeField included
        return _buddhist_era
    if isinstance(field, models.JSONField):
        return _readable_json
    return None


class ReadableFields:
    """Values in the admin's lists and read-only fields as officials read them elsewhere in the portal:
    dates and date-times in Buddhist-era Thai (eoffice.thai) where Django prints its Christian-era format,
    and JSON indented with Thai unescaped. Mixed in before ModelAdmin; list_display, readonly_fields and
    fieldsets keep naming the model's fields, and such a field only shown (a list column, a read-only field,
    any field of a page the administrator may only view) is shown through a column of the same title and
    ordering. Inputs of editable forms are not concerned."""

    def _shown_field(self, name):
        from django.core.exceptions import FieldDoesNotExist

        if not isinstance(name, str):
            return None
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        return field if _shown_as(field) else None

    def _shown_column(self, name):
        """The name of the readable column for the model's field ``name``, else ``name`` itself."""
        field = self._shown_field(name)
        if field is None:
            return name
        column = f"{name}_readable"
        if not hasattr(self, column):
            shown_as = _shown_as(field)

            def show(obj):
                value = getattr(obj, name)
                return self.get_empty_value_display() if value is None else shown_as(value)

            show.__name__ = column
            setattr(self, column, admin.display(description=field.verbose_name, ordering=name)(show))
        return column

    def get_list_display(self, request):
        return [self._shown_column(name) for name in super().get_list_display(request)]

    def _shown_fields(self):
        return [field.name for field in self.model._meta.get_fields() if self._shown_field(field.name)]

    def get_readonly_fields(self, request, obj=None):
        # The original names stay: they keep the fields out of the form. A page the administrator may only
        # view may show any field (simple-history's version page too): every column is there.
        readonly = list(super().get_readonly_fields(request, obj))
        names = self._shown_fields() if not self.has_change_permission(request, obj) else readonly
        return readonly + [self._shown_column(name) for name in names if self._shown_field(name)]

    def get_fieldsets(self, request, obj=None):
        view_only = not self.has_change_permission(request, obj)
        readonly = set(super().get_readonly_fields(request, obj))
        columns = {f"{name}_readable" for name in self._shown_fields()}

        def shown(name):
            return self._shown_column(name) if view_only or name in readonly else name

        fieldsets, seen = [], set()
        for title, options in super().get_fieldsets(request, obj):
            names = []
            for item in options.get("fields", ()):
                # A column stands where its field was; listed by itself (get_fields adds every read-only
                # field after the form's) it is left out.
                if isinstance(item, (list, tuple)):
                    item = tuple(shown(n) for n in item if n not in columns)
                elif item in columns:
                    continue
                else:
                    item = shown(item)
                if item and item not in seen:
                    seen.add(item)
                    names.append(item)
            fieldsets.append((title, {**options, "fields": names}))
        return fieldsets
