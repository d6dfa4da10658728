"""The illustrative data generator: marked, idempotent per scale, removable."""

import pytest
from django.core.management import CommandError, call_command

from demo_data.generate import SCALES, Scale, demo_data_generate, demo_data_remove, expected_counts, generated_counts
from mobile_assets.models import Device, UsageStatistic
from portfolio.models import Project
from savings.models import Initiative
from savings.selectors import plan_current, plan_summary_compute

pytestmark = pytest.mark.django_db

TINY = Scale("tiny", devices=40, usage_rows=450, projects=6, initiatives=5)


def test_a_scale_is_generated_in_full_marked_and_only_once(all_seeds):
    assert demo_data_generate(TINY, log=lambda _: None) is True
    assert generated_counts() == expected_counts(TINY)
    assert all(device.is_illustrative for device in Device.objects.filter(asset_tag__startswith="GEN-"))
    assert all(project.is_illustrative for project in Project.objects.filter(code__startswith="GEN-"))
    assert Initiative.objects.filter(reference__startswith="gen-", description__startswith="ILLUSTRATIVE").count() == 5
    usage = UsageStatistic.objects.filter(device__asset_tag__startswith="GEN-")
    assert usage.count() == 450 and not usage.filter(is_illustrative=False).exists()
    # again: nothing written
    first_ids = set(Device.objects.filter(asset_tag__startswith="GEN-").values_list("pk", flat=True))
    assert demo_data_generate(TINY, log=lambda _: None) is False
    assert set(Device.objects.filter(asset_tag__startswith="GEN-").values_list("pk", flat=True)) == first_ids


def test_another_scale_replaces_it_and_remove_restores_the_seed_figures(all_seeds):
    seed_reduction = plan_summary_compute(plan=plan_current()).baseline_reduction
    demo_data_generate(TINY, log=lambda _: None)
    bigger = Scale("bigger", devices=50, usage_rows=600, projects=7, initiatives=6)
    demo_data_generate(bigger, log=lambda _: None)
    assert generated_counts() == expected_counts(bigger)
    assert plan_summary_compute(plan=plan_current()).baseline_reduction > seed_reduction
    demo_data_remove()
    assert generated_counts() == expected_counts(Scale("none", 0, 0, 0, 0))
    assert plan_summary_compute(plan=plan_current()).baseline_reduction == seed_reduction
    assert Device.objects.count() == 7330


def test_the_command_loads_the_seed_first_and_names_the_scales(db, capsys):
    assert set(SCALES) == {"small", "large"}
    assert SCALES["large"] == Scale("large", devices=30_000, usage_rows=2_000_000, projects=2_000, initiatives=1_000)
    call_command("generate_demo_data", "--remove")
    assert "removed" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("generate_demo_data", "--scale", "huge")
