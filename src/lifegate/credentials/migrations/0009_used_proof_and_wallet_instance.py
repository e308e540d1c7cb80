from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0008_wallet_authorization"),
    ]

    operations = [
        # Client attestation proofs of possession are used once too: one table for both.
        migrations.RenameModel(old_name="UsedDPoPProof", new_name="UsedProof"),
        migrations.AlterModelOptions(name="usedproof", options={"verbose_name": "used proof"}),
        migrations.AddField(
            model_name="walletauthorization",
            name="instance_jkt",
            field=models.CharField(blank=True, default="", max_length=43),
        ),
    ]
