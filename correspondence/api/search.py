"""GET /api/v1/search/?q=…: the search box over the API (the same selector as the page)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from correspondence.selectors_search import MAX_LIMIT, search


class HitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField(help_text="เรื่อง เป็น HTML ที่ escape แล้ว คำที่ตรงอยู่ใน <mark>")
    number = serializers.CharField(help_text="เลขที่หนังสือ (HTML)")
    sender = serializers.CharField(help_text="ผู้ส่ง (HTML)")
    snippet = serializers.CharField(help_text="ข้อความรอบคำที่ตรงจากเนื้อความหรือไฟล์ PDF (HTML)")
    at = serializers.DateTimeField()
    secrecy = serializers.IntegerField()
    urgency = serializers.IntegerField()
    url = serializers.CharField(help_text="หน้าของหนังสือในระบบ")


def _verified(request) -> bool:
    try:
        from eoffice import twofactor
    except ImportError:
        return True
    return twofactor.is_verified(request)


class SearchResults(serializers.Serializer):
    q = serializers.CharField()
    results = HitSerializer(many=True)


class SearchView(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str, required=True, description="คำค้น"),
                               OpenApiParameter("limit", int, description=f"ไม่เกิน {MAX_LIMIT} (ค่าปกติ 50)")],
                   responses=SearchResults)
    def get(self, request):
        q = (request.query_params.get("q") or "").strip()
        if not q:
            raise ValidationError({"q": ["กรุณาระบุคำค้น"]})
        try:
            limit = int(request.query_params.get("limit") or 50)
        except ValueError:
            raise ValidationError({"limit": ["ต้องเป็นตัวเลข"]})
        hits = search(request.user, q, limit=limit, verified=_verified(request))
        return Response({"q": q, "results": HitSerializer(hits, many=True).data})
