-- Create "tenants" table
CREATE TABLE "tenants" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, PRIMARY KEY ("id"));
-- Create "organisations" table
CREATE TABLE "organisations" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "organisations_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "organisation_tenant_id_name" to table: "organisations"
CREATE UNIQUE INDEX "organisation_tenant_id_name" ON "organisations" ("tenant_id", "name");
-- Create "groups" table
CREATE TABLE "groups" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "tenant_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "groups_organisations_groups" FOREIGN KEY ("organisation_id") REFERENCES "organisations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "groups_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "group_tenant_id_organisation_id_name" to table: "groups"
CREATE UNIQUE INDEX "group_tenant_id_organisation_id_name" ON "groups" ("tenant_id", "organisation_id", "name");
-- Create "devices" table
CREATE TABLE "devices" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "hostname" character varying NOT NULL, "platform" character varying NOT NULL DEFAULT 'unknown', "role" character varying NOT NULL DEFAULT 'unknown', "os_name" character varying NOT NULL DEFAULT '', "os_version" character varying NOT NULL DEFAULT '', "manufacturer" character varying NOT NULL DEFAULT '', "model" character varying NOT NULL DEFAULT '', "serial_number" character varying NOT NULL DEFAULT '', "ip_addresses" jsonb NOT NULL, "agent_version" character varying NOT NULL DEFAULT '', "tags" jsonb NOT NULL, "last_seen_at" timestamptz NULL, "tenant_id" uuid NOT NULL, "group_id" uuid NULL, "organisation_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "devices_groups_devices" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "devices_organisations_devices" FOREIGN KEY ("organisation_id") REFERENCES "organisations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "devices_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "device_tenant_id_hostname_id" to table: "devices"
CREATE INDEX "device_tenant_id_hostname_id" ON "devices" ("tenant_id", "hostname", "id");
-- Create index "device_tenant_id_last_seen_at_id" to table: "devices"
CREATE INDEX "device_tenant_id_last_seen_at_id" ON "devices" ("tenant_id", "last_seen_at", "id");
-- Create index "device_tenant_id_organisation_id_group_id" to table: "devices"
CREATE INDEX "device_tenant_id_organisation_id_group_id" ON "devices" ("tenant_id", "organisation_id", "group_id");
-- Create "users" table
CREATE TABLE "users" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "display_name" character varying NOT NULL DEFAULT '', "password_hash" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
-- Create "memberships" table
CREATE TABLE "memberships" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "role" character varying NOT NULL, "organisation_ids" jsonb NOT NULL, "disabled_at" timestamptz NULL, "invitation_token_hash" character varying NULL, "invitation_expires_at" timestamptz NULL, "accepted_at" timestamptz NULL, "invited_by" uuid NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "memberships_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "memberships_users_memberships" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "membership_tenant_id_user_id" to table: "memberships"
CREATE UNIQUE INDEX "membership_tenant_id_user_id" ON "memberships" ("tenant_id", "user_id");
-- Create index "membership_user_id" to table: "memberships"
CREATE INDEX "membership_user_id" ON "memberships" ("user_id");
-- Create index "memberships_invitation_token_hash_key" to table: "memberships"
CREATE UNIQUE INDEX "memberships_invitation_token_hash_key" ON "memberships" ("invitation_token_hash");
-- Create "refresh_tokens" table
CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character varying NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "used_at" timestamptz NULL, "revoked_at" timestamptz NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "refresh_tokens_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "refresh_tokens_token_hash_key" to table: "refresh_tokens"
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens" ("token_hash");
-- Create index "refreshtoken_tenant_id_family_id" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_tenant_id_family_id" ON "refresh_tokens" ("tenant_id", "family_id");
-- Create index "refreshtoken_tenant_id_user_id" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_tenant_id_user_id" ON "refresh_tokens" ("tenant_id", "user_id");
