-- Modify "tenants" table
ALTER TABLE "tenants" ADD COLUMN "require_second_factor" boolean NOT NULL DEFAULT false;
-- Create "passkeys" table
CREATE TABLE "passkeys" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "credential_id" bytea NOT NULL, "public_key" bytea NOT NULL, "sign_count" bigint NOT NULL DEFAULT 0, "aaguid" bytea NULL, "transports" jsonb NULL, "attestation_type" character varying NOT NULL DEFAULT '', "backup_eligible" boolean NOT NULL DEFAULT false, "backup_state" boolean NOT NULL DEFAULT false, "user_verified" boolean NOT NULL DEFAULT false, "name" character varying NOT NULL, "created_at" timestamptz NOT NULL, "last_used_at" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "passkey_user_id" to table: "passkeys"
CREATE INDEX "passkey_user_id" ON "passkeys" ("user_id");
-- Create index "passkeys_credential_id_key" to table: "passkeys"
CREATE UNIQUE INDEX "passkeys_credential_id_key" ON "passkeys" ("credential_id");
-- Create "recovery_codes" table
CREATE TABLE "recovery_codes" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "code_hash" character varying NOT NULL, "created_at" timestamptz NOT NULL, "used_at" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "recoverycode_user_id_code_hash" to table: "recovery_codes"
CREATE INDEX "recoverycode_user_id_code_hash" ON "recovery_codes" ("user_id", "code_hash");
-- Create "totp_secrets" table
CREATE TABLE "totp_secrets" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "secret_sealed" bytea NOT NULL, "created_at" timestamptz NOT NULL, "confirmed_at" timestamptz NULL, "last_used_step" bigint NOT NULL DEFAULT 0, PRIMARY KEY ("id"));
-- Create index "totpsecret_user_id" to table: "totp_secrets"
CREATE INDEX "totpsecret_user_id" ON "totp_secrets" ("user_id");
-- Create "web_authn_challenges" table
CREATE TABLE "web_authn_challenges" ("id" uuid NOT NULL, "purpose" character varying NOT NULL, "user_id" uuid NULL, "session_id" uuid NULL, "attempt_id" uuid NULL, "session_data" bytea NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "used_at" timestamptz NULL, PRIMARY KEY ("id"));
-- Create index "webauthnchallenge_expires_at" to table: "web_authn_challenges"
CREATE INDEX "webauthnchallenge_expires_at" ON "web_authn_challenges" ("expires_at");
-- Create "sign_in_attempts" table
CREATE TABLE "sign_in_attempts" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "token_hash" character varying NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "failures" bigint NOT NULL DEFAULT 0, "used_at" timestamptz NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sign_in_attempts_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "sign_in_attempts_token_hash_key" to table: "sign_in_attempts"
CREATE UNIQUE INDEX "sign_in_attempts_token_hash_key" ON "sign_in_attempts" ("token_hash");
