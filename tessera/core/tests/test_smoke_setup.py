from tessera.core.models import Currency, Uom


def test_reference_data_is_loaded(db):
    assert Currency.objects.get(code="EUR").minor_unit == 2
    assert Currency.objects.get(code="JPY").minor_unit == 0
    assert Uom.objects.get(name="Dozen").ratio == 12


def test_partner_list_through_api(api, company):
    response = api.get("/api/v1/core/partners/")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
