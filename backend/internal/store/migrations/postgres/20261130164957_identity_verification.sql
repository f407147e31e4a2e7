-- Modify "memberships" table
ALTER TABLE "memberships" ADD COLUMN "display_name" character varying NOT NULL DEFAULT '';
-- Modify "users" table
ALTER TABLE "users" ADD COLUMN "email_verified_at" timestamptz NULL, ADD COLUMN "verify_token_hash" character varying NULL, ADD COLUMN "verify_expires_at" timestamptz NULL, ADD COLUMN "reset_token_hash" character varying NULL, ADD COLUMN "reset_expires_at" timestamptz NULL;
-- Create index "users_reset_token_hash_key" to table: "users"
CREATE UNIQUE INDEX "users_reset_token_hash_key" ON "users" ("reset_token_hash");
-- Create index "users_verify_token_hash_key" to table: "users"
CREATE UNIQUE INDEX "users_verify_token_hash_key" ON "users" ("verify_token_hash");
