"""The register's labels in English (ADR 0060): the choices, industries, field labels and validation
messages public pages show translate; the data the register stores and draws freeze stays Chinese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongkai.portal.tests.i18n import CJK
from gongkai.registry import industries
from gongkai.registry.choices import AddressKind, EntityStatus, EntityType
from gongkai.registry.forms import EntitySearchForm
from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def test_choices_translate_and_stay_chinese_by_default():
    assert str(EntityType.INDIVIDUAL.label) == "个体工商户"
    with translation.override("en"):
        assert str(EntityType.INDIVIDUAL.label) == "Individual business"
        assert str(EntityStatus.ACTIVE.label) == "Active (in business)"
        assert str(AddressKind.DOMICILE.label) == "Registered address"


def test_industry_labels_translate_but_the_names_drawn_with_stay_chinese():
    sections, divisions = dict(industries.SECTION_CHOICES), dict(industries.DIVISION_CHOICES)
    assert (str(sections["F"]), str(divisions["52"])) == ("F 批发和零售业", "52 零售业")
    with translation.override("en"):
        assert str(sections["F"]) == "F Wholesale and retail trade"
        assert str(divisions["52"]) == "52 Retail trade"
        # The names a draw freezes (population strata) are the standard's Chinese text.
        assert industries.section_name("F") == "批发和零售业" and industries.division_name("52") == "零售业"
        english = [str(label) for _, label in industries.SECTION_CHOICES + industries.DIVISION_CHOICES]
    assert len(english) == 20 + 97 and not [label for label in english if CJK.search(label)]


def test_an_entity_shows_its_labels_in_the_active_language():
    entity = make_entity(industry_division="62", industry_section="H")
    with translation.override("en"):
        assert entity.get_industry_division_display() == "62 Catering"
        assert entity.get_status_display() == "Active (in business)"
        assert str(Entity._meta.get_field("credit_code").verbose_name) == "Unified social credit code"


def test_validation_messages_in_english():
    entity = make_entity()
    entity.industry_division, entity.industry_section = "52", "A"
    entity.status_since = entity.established_on - dt.timedelta(days=1)
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            entity.clean()
        assert caught.value.message_dict == {
            "industry_division": ["Industry division 52 is not in section A (it belongs to section F)"],
            "status_since": ["The date of the status change cannot be before the date established"],
        }


def test_the_search_form_in_english():
    with translation.override("en"):
        form = EntitySearchForm({"entity_type": "nonsense"})
        assert not form.is_valid()
        assert str(form["q"].label) == "Name or unified social credit code"
        assert form.errors["entity_type"] == [
            "Select a valid choice. nonsense is not one of the available choices."
        ]
        assert ("individual", "Individual business") in [
            (k, str(v)) for k, v in form.fields["entity_type"].choices
        ]
