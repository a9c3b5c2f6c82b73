from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publicservice",
            name="law",
            field=models.CharField(blank=True, max_length=500, verbose_name="Gesetz"),
        ),
    ]
