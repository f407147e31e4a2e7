-- Create "report_schedules" table
CREATE TABLE "report_schedules" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "organisation_id" uuid NOT NULL, "recipients" jsonb NOT NULL, "day_of_month" bigint NOT NULL, "format" character varying NOT NULL, "created_by" uuid NULL, "next_send_at" timestamptz NOT NULL, "last_sent_at" timestamptz NULL, "last_period" character varying NOT NULL DEFAULT '', "last_error" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_schedules_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "reportschedule_next_send_at" to table: "report_schedules"
CREATE INDEX "reportschedule_next_send_at" ON "report_schedules" ("next_send_at");
-- Create index "reportschedule_tenant_id_organisation_id" to table: "report_schedules"
CREATE INDEX "reportschedule_tenant_id_organisation_id" ON "report_schedules" ("tenant_id", "organisation_id");
