-- Modify "devices" table
ALTER TABLE "devices" ADD COLUMN "snapshot_count" bigint NOT NULL DEFAULT 0;
-- Create "notification_read_marks" table
CREATE TABLE "notification_read_marks" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "read_up_to_at" timestamptz NOT NULL, "read_up_to_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "notification_read_marks_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "notificationreadmark_tenant_id_user_id" to table: "notification_read_marks"
CREATE UNIQUE INDEX "notificationreadmark_tenant_id_user_id" ON "notification_read_marks" ("tenant_id", "user_id");
-- Backfill "snapshot_count" from the stored snapshots
UPDATE "devices" SET "snapshot_count" = (SELECT count(*) FROM "snapshots" WHERE "snapshots"."device_id" = "devices"."id");
