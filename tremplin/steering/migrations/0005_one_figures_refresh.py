# One record of the figures' refreshes (steering.refresh): FlowRefresh's time moves into FiguresRefresh,
# whose one row becomes pk 1; its own fields are renamed for the set they describe.

from django.db import migrations, models


def merge_records(apps, schema_editor):
    FiguresRefresh = apps.get_model("steering", "FiguresRefresh")
    FlowRefresh = apps.get_model("steering", "FlowRefresh")
    latest = FiguresRefresh.objects.order_by("-stock_computed_at", "-pk").first()
    fields = {}
    if latest is not None:
        fields = {
            name: getattr(latest, name)
            for name in (
                "stock_computed_at",
                "stock_on",
                "stock_duration_ms",
                "aids_count",
                "aids_total_cents",
                "aids_last_granted_on",
            )
        }
    flow = FlowRefresh.objects.filter(pk=1).first()
    if flow is not None:
        fields.update(flow_computed_at=flow.computed_at, flow_duration_ms=flow.duration_ms)
    FiguresRefresh.objects.all().delete()
    if fields:
        FiguresRefresh.objects.create(pk=1, **fields)


def split_records(apps, schema_editor):
    FiguresRefresh = apps.get_model("steering", "FiguresRefresh")
    FlowRefresh = apps.get_model("steering", "FlowRefresh")
    record = FiguresRefresh.objects.filter(pk=1).first()
    if record is None:
        return
    if record.flow_computed_at is not None:
        FlowRefresh.objects.create(pk=1, computed_at=record.flow_computed_at, duration_ms=record.flow_duration_ms)
    if record.stock_computed_at is None:
        record.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('steering', '0004_state_aid_summary_and_rollup_index'),
    ]

    operations = [
        migrations.RenameField(model_name='figuresrefresh', old_name='refreshed_at', new_name='stock_computed_at'),
        migrations.RenameField(model_name='figuresrefresh', old_name='on', new_name='stock_on'),
        migrations.RenameField(model_name='figuresrefresh', old_name='duration_ms', new_name='stock_duration_ms'),
        migrations.AlterField(
            model_name='figuresrefresh',
            name='stock_computed_at',
            field=models.DateTimeField(null=True, verbose_name='budget et portée calculés le'),
        ),
        migrations.AlterField(
            model_name='figuresrefresh',
            name='stock_on',
            field=models.DateField(null=True, verbose_name='jour des chiffres du budget et de la portée'),
        ),
        migrations.AlterField(
            model_name='figuresrefresh',
            name='stock_duration_ms',
            field=models.PositiveIntegerField(null=True, verbose_name='durée du calcul du budget et de la portée (ms)'),
        ),
        migrations.AddField(
            model_name='figuresrefresh',
            name='flow_computed_at',
            field=models.DateTimeField(null=True, verbose_name='parcours, délais et réseau calculés le'),
        ),
        migrations.AddField(
            model_name='figuresrefresh',
            name='flow_duration_ms',
            field=models.PositiveIntegerField(null=True, verbose_name='durée du calcul du parcours (ms)'),
        ),
        migrations.RunPython(merge_records, split_records),
        migrations.DeleteModel(name='FlowRefresh'),
    ]
