-- Modify "audit_events" table
ALTER TABLE "audit_events" ADD COLUMN "source_address" character varying NOT NULL DEFAULT '', ADD COLUMN "user_agent" character varying NOT NULL DEFAULT '';
-- Create index "auditevent_tenant_id_action_created_at" to table: "audit_events"
CREATE INDEX "auditevent_tenant_id_action_created_at" ON "audit_events" ("tenant_id", "action", "created_at");
-- Create "sessions" table
CREATE TABLE "sessions" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "method" character varying NOT NULL, "created_at" timestamptz NOT NULL, "authenticated_at" timestamptz NOT NULL, "last_used_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "address" character varying NOT NULL DEFAULT '', "user_agent" character varying NOT NULL DEFAULT '', "revoked_at" timestamptz NULL, "factor_setup_pending" boolean NOT NULL DEFAULT false, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sessions_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "session_tenant_id_user_id" to table: "sessions"
CREATE INDEX "session_tenant_id_user_id" ON "sessions" ("tenant_id", "user_id");
-- Create index "session_user_id" to table: "sessions"
CREATE INDEX "session_user_id" ON "sessions" ("user_id");
