"""On PostgreSQL, Django gives a varchar column with db_index or unique a second index, with
varchar_pattern_ops, for LIKE queries. Nothing looks processing records up by LIKE (trace and
span ids and subject hashes are only ever compared whole), yet every record written (one per
message of a bulk send) paid for three such indexes, and for a single-column index on the
subject hash that the (data_subject_hash, -start_time) index already serves. The trace id
index and the span id's uniqueness stay, declared in Meta, which adds no pattern index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transparency", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="processingrecord",
            name="data_subject_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="processingrecord",
            name="span_id",
            field=models.CharField(max_length=16),
        ),
        migrations.AlterField(
            model_name="processingrecord",
            name="trace_id",
            field=models.CharField(max_length=32),
        ),
        migrations.AddIndex(
            model_name="processingrecord",
            index=models.Index(fields=["trace_id"], name="processing_record_trace"),
        ),
        migrations.AddConstraint(
            model_name="processingrecord",
            constraint=models.UniqueConstraint(fields=("span_id",), name="processing_record_span"),
        ),
    ]
