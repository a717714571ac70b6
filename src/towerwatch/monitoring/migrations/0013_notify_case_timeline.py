"""PostgreSQL: NOTIFY towerwatch_cases with the newest id whenever case-timeline rows are added.

A statement-level trigger with a transition table: one notification per INSERT statement
(an alarm storm's bulk insert is one), delivered at commit. SQLite has no NOTIFY; there the
console stream polls (monitoring/stream.py).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION towerwatch_notify_cases() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('towerwatch_cases', (SELECT max(id) FROM new_rows)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS towerwatch_notify_cases ON monitoring_alarmflip;
CREATE TRIGGER towerwatch_notify_cases
  AFTER INSERT ON monitoring_alarmflip
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION towerwatch_notify_cases();
"""

DROP = """
DROP TRIGGER IF EXISTS towerwatch_notify_cases ON monitoring_alarmflip;
DROP FUNCTION IF EXISTS towerwatch_notify_cases();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0012_duty_check_schedules")]

    operations = [migrations.RunPython(create, drop)]
