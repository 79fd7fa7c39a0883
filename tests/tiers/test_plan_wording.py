"""Plan wording comes from data and templates, not Python: the default plan's name (with the
template's words when no plan is marked default) and the resolution targets in the plan table."""

from decimal import Decimal

from tiers.models import Plan, ResolutionTarget
from tiers.plans.selectors import default_plan_name


def test_the_default_plan_is_named_from_the_data(community):
    assert default_plan_name() == community.name
    Plan.objects.filter(pk=community.pk).update(name="R&D <Free>")
    assert default_plan_name() == "R&D <Free>"  # plain text: the page that shows it escapes


def test_without_a_default_plan_the_template_words_it(community):
    Plan.objects.filter(pk=community.pk).update(is_default=False)
    assert default_plan_name() == "the free plan"


def test_the_plan_table_words_each_target_with_its_unit(client, infinity):
    ResolutionTarget.objects.filter(plan=infinity, severity=1).update(hours=Decimal("1"))
    ResolutionTarget.objects.filter(plan=infinity, severity=4).update(hours=Decimal("1.5"))
    html = client.get("/support/plans/").content.decode()
    assert "Severity 1: within 1 hour<" in html  # around the clock, singular
    assert "Severity 2: within 8 hours" in html
    assert "Severity 4: within 1.5 business hours" in html
