"""API shapes. They validate types only; rules live in the services. List shapes never carry body
text or files."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, Official
from correspondence.models import (
    BookKind,
    Channel,
    IncomingItem,
    Letter,
    LetterRecipient,
    LetterReference,
    Minute,
    RegisterBook,
    RegisterEntry,
    ReviewStep,
    Routing,
)


class LetterListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ["id", "kind", "state", "urgency", "secrecy", "subject", "is_circular", "number", "issued_on",
                  "owner_unit", "issuing_unit", "created_at"]


class ReviewStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewStep
        fields = ["round", "order", "reviewer", "decision", "comment", "decided_at"]


class RecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterRecipient
        fields = ["id", "agency", "name", "address", "email", "is_copy", "state", "receipt_number"]


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterReference
        fields = ["order", "entry", "text"]


class LetterDetailSerializer(LetterListSerializer):
    review_steps = ReviewStepSerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)

    class Meta(LetterListSerializer.Meta):
        fields = LetterListSerializer.Meta.fields + ["content", "signer", "deliver_by", "series_prefix",
                                                     "cancel_reason", "review_steps", "recipients", "references"]


class RecipientInput(serializers.Serializer):
    agency = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=500)
    address = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_copy = serializers.BooleanField(required=False, default=False)


class ReferenceInput(serializers.Serializer):
    entry = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class EnclosureInput(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    quantity = serializers.CharField(required=False, allow_blank=True, max_length=64)


class LetterWriteSerializer(serializers.Serializer):
    content = serializers.JSONField(help_text="The letter spec (docs/letter-spec.md) without number and date")
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    signer = serializers.PrimaryKeyRelatedField(queryset=Official.objects.all(), required=False, allow_null=True)
    references = ReferenceInput(many=True, required=False)
    enclosures = EnclosureInput(many=True, required=False)
    recipients = RecipientInput(many=True, required=False)
    reviewers = serializers.ListField(child=serializers.IntegerField(), required=False)
    is_circular = serializers.BooleanField(required=False, default=False)
    series_prefix = serializers.CharField(required=False, allow_blank=True, max_length=16)


class ReviewInput(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True)


class SignInput(serializers.Serializer):
    secret = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                   help_text="PIN หรือรหัสผ่านของกุญแจลงนาม")


class SigningJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    letter = serializers.IntegerField()
    state = serializers.CharField()
    state_th = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    error_code = serializers.CharField(allow_blank=True)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterBook
        fields = ["id", "unit", "kind", "prefix", "year", "last_number"]


class EntrySerializer(serializers.ModelSerializer):
    has_scan = serializers.SerializerMethodField(
        help_text="มีแฟ้มหนังสือ (สแกน) ที่บันทึกไว้กับเลขที่จอง: ดาวน์โหลดที่ /api/v1/entries/{id}/scan/")

    class Meta:
        model = RegisterEntry
        # The line's own columns, read as plain rows by the list; has_scan comes from EntryScan.
        columns = ["id", "book", "number", "status", "their_number", "dated", "from_text", "to_text", "subject",
                   "action_taken", "remarks", "void_reason", "secrecy", "urgency", "registered_at", "letter", "item"]
        fields = columns + ["has_scan"]

    def get_has_scan(self, obj) -> bool:
        from correspondence.services.search import entry_scan

        scan = entry_scan(obj)
        return bool(scan and scan.pdf)


class ReservationInput(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    kind = serializers.ChoiceField(choices=BookKind.choices, default=BookKind.OUTGOING)
    prefix = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ReservationFillInput(serializers.Serializer):
    subject = serializers.CharField(allow_blank=True, max_length=1000)
    their_number = serializers.CharField(required=False, allow_blank=True, max_length=128)
    dated = serializers.DateField(required=False, allow_null=True)
    from_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    to_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    remarks = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    pdf = serializers.FileField(required=False, allow_null=True, help_text="หนังสือที่สแกน (PDF)")


class ReservationFillFieldsInput(ReservationFillInput):
    """The same details as JSON or a URL-encoded form: those bodies carry no file, so the scan needs
    multipart/form-data."""

    pdf = None


class _ItemsWithDuplicates(serializers.ListSerializer):
    """Looks up, in one query for the whole page, which of the items named as duplicates the user may see."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.visible_duplicates = _visible_ids(self.context, {i.duplicate_of_id for i in items} - {None})
        return super().to_representation(items)


def _visible_ids(context, ids) -> set:
    from correspondence import permissions

    request = context.get("request")
    if not ids or request is None:
        return set()
    return set(permissions.visible_items(request.user, IncomingItem.objects.filter(pk__in=ids))
               .values_list("pk", flat=True))


class ItemListSerializer(serializers.ModelSerializer):
    """``duplicate_of``: the earlier item with the same number, date and sender, or null, also when the user
    may not see that item (its id would tell a classified item exists)."""

    visible_duplicates = None

    class Meta:
        model = IncomingItem
        fields = ["id", "unit", "channel", "state", "their_number", "dated", "sender_text", "subject", "urgency",
                  "deliver_by", "secrecy", "receipt_number", "received_at", "registered_at", "parent",
                  "duplicate_of"]
        list_serializer_class = _ItemsWithDuplicates

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.duplicate_of_id:
            visible = self.visible_duplicates
            if visible is None:  # a single item
                visible = _visible_ids(self.context, {instance.duplicate_of_id})
            if instance.duplicate_of_id not in visible:
                data["duplicate_of"] = None
        return data


class MinuteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minute
        fields = ["id", "author", "action", "text", "assignee", "due", "written_at", "acknowledged_at"]


class RoutingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Routing
        fields = ["id", "to_unit", "copy", "note", "routed_at"]


class ItemDetailSerializer(ItemListSerializer):
    minutes = MinuteSerializer(many=True, read_only=True)
    routings = RoutingSerializer(many=True, read_only=True)
    has_pdf = serializers.SerializerMethodField()
    enclosures = serializers.SerializerMethodField()
    details_version = serializers.SerializerMethodField()

    class Meta(ItemListSerializer.Meta):
        fields = ItemListSerializer.Meta.fields + ["addressee", "sender_agency", "letter", "filed_at", "closed_at",
                                                   "rejected_reason", "minutes", "routings", "has_pdf", "enclosures",
                                                   "details_version"]

    def get_has_pdf(self, obj) -> bool:
        return bool(obj.pdf)

    def get_details_version(self, obj) -> str:
        """Give it back as ``seen`` when correcting: a correction made by someone else meanwhile is not undone."""
        from correspondence.services.receiving import details_version

        return details_version(obj)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_enclosures(self, obj) -> list:
        """สิ่งที่ส่งมาด้วย of the portal letter it came as; ``file`` is the page that serves the file."""
        from django.urls import reverse

        from correspondence.models import Enclosure

        if not obj.letter_id:
            return []
        return [{"description": e.description, "quantity": e.quantity,
                 "file": reverse("portal:item-enclosure", args=[obj.pk, e.pk]) if e.file else None}
                for e in Enclosure.objects.filter(letter_id=obj.letter_id).order_by("order")]


class ItemDetailsInput(serializers.Serializer):
    """A received letter's details, as receiving takes them (``ItemCorrectInput`` corrects them before the
    item is registered)."""

    their_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    dated = serializers.DateField(required=False, allow_null=True)
    sender_text = serializers.CharField(allow_blank=True, max_length=500)
    addressee = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    subject = serializers.CharField(allow_blank=True, max_length=1000)
    urgency = serializers.IntegerField(required=False, default=0)
    secrecy = serializers.IntegerField(required=False, default=0)
    deliver_by = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="ด่วนภายใน (วันเวลา ISO; ไม่ระบุเขตเวลา = เวลาประเทศไทย)")


class ItemCorrectInput(serializers.Serializer):
    """แก้ไขรายละเอียด (``POST /items/{id}/correct/``): the fields sent replace the item's, those left out stay
    as received (an urgency or a secrecy is never reset by leaving it out). How and where the item came
    (unit, channel, sender agency, file) is not corrected: sent, it is refused, not silently ignored."""

    their_number = serializers.CharField(required=False, allow_blank=True, max_length=128)
    dated = serializers.DateField(required=False, allow_null=True)
    sender_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    addressee = serializers.CharField(required=False, allow_blank=True, max_length=500)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    urgency = serializers.IntegerField(required=False)
    secrecy = serializers.IntegerField(required=False)
    deliver_by = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="ด่วนภายใน (วันเวลา ISO; ไม่ระบุเขตเวลา = เวลาประเทศไทย)")
    seen = serializers.CharField(required=False, max_length=64,
                                 help_text="details_version ของหนังสือที่อ่านมาก่อนแก้ไข: หากมีผู้แก้ไขไปก่อนแล้วจะไม่บันทึก")

    AS_RECEIVED = {"unit": "หน่วยงานผู้รับ", "channel": "ช่องทาง", "sender_agency": "หน่วยงานผู้ส่ง",
                   "pdf": "แฟ้มหนังสือ"}

    def validate(self, attrs):
        fixed = [name for name in self.AS_RECEIVED if name in self.initial_data]
        if fixed:
            raise serializers.ValidationError({
                name: [f"{self.AS_RECEIVED[name]}แก้ไขไม่ได้ คงเดิมตามที่ได้รับ หากไม่ถูกต้องให้ปฏิเสธการรับพร้อมเหตุผล"]
                for name in fixed})
        return attrs


class ItemReceiveInput(ItemDetailsInput):
    unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.SCAN)
    sender_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    pdf = serializers.FileField(required=False, allow_null=True)


class ItemReceiveFieldsInput(ItemReceiveInput):
    """The same item sent as JSON or a URL-encoded form: those bodies carry no file (a string in ``pdf``,
    base64 or not, is refused as "not a file"), so the scan needs multipart/form-data."""

    pdf = None


class PdfInput(serializers.Serializer):
    pdf = serializers.FileField()


class PrefillResult(serializers.Serializer):
    """What could be read from an uploaded PDF, for the clerk to confirm: only the fields found are given
    (none at all from a PDF that cannot be read); ``addressee``, ``urgency`` and ``secrecy`` only from the
    ``letter.json`` a portal letter carries."""

    their_number = serializers.CharField(required=False)
    dated = serializers.DateField(required=False, allow_null=True)
    sender_text = serializers.CharField(required=False)
    subject = serializers.CharField(required=False)
    addressee = serializers.CharField(required=False)
    urgency = serializers.IntegerField(required=False)
    secrecy = serializers.IntegerField(required=False)
    source = serializers.ChoiceField(choices=["letter.json", "text"], required=False,
                                     help_text="letter.json (แฟ้มข้อมูลที่แนบมากับหนังสือ) หรือ text (ข้อความในหน้าแรก)")


class RouteInput(serializers.Serializer):
    to_units = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MinuteInput(serializers.Serializer):
    action = serializers.CharField(max_length=255, allow_blank=True)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.PrimaryKeyRelatedField(queryset=Official.objects.all(), required=False, allow_null=True)
    due = serializers.DateField(required=False, allow_null=True)


class CloseInput(serializers.Serializer):
    filed_at = serializers.CharField(allow_blank=True, max_length=500)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="เหตุที่ปฏิเสธการรับ (ผู้ส่งจะเห็นข้อความนี้)")


class RegisterResult(serializers.Serializer):
    item = ItemDetailSerializer()
    warning = serializers.CharField(allow_null=True)
