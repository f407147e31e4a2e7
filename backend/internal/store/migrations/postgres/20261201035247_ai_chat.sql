-- Create "chat_messages" table
CREATE TABLE "chat_messages" ("id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "role" character varying NOT NULL, "text" text NOT NULL, "citations" jsonb NULL, "tools" jsonb NULL, "prompt_tokens" bigint NOT NULL DEFAULT 0, "completion_tokens" bigint NOT NULL DEFAULT 0, "model" character varying NOT NULL DEFAULT '', "builtin" boolean NOT NULL DEFAULT false, "latency_ms" bigint NOT NULL DEFAULT 0, "feedback" character varying NOT NULL DEFAULT 'none', "feedback_comment" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "chat_messages_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "chatmessage_tenant_id_conversation_id_created_at" to table: "chat_messages"
CREATE INDEX "chatmessage_tenant_id_conversation_id_created_at" ON "chat_messages" ("tenant_id", "conversation_id", "created_at");
-- Create "conversations" table
CREATE TABLE "conversations" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "user_id" uuid NOT NULL, "scope_kind" character varying NOT NULL, "scope_id" uuid NOT NULL, "organisation_id" uuid NULL, "title" character varying NOT NULL DEFAULT '', "message_count" bigint NOT NULL DEFAULT 0, "summary" text NOT NULL DEFAULT '', "summarised_up_to" uuid NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "conversations_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "conversation_tenant_id_organisation_id" to table: "conversations"
CREATE INDEX "conversation_tenant_id_organisation_id" ON "conversations" ("tenant_id", "organisation_id");
-- Create index "conversation_tenant_id_scope_kind_scope_id" to table: "conversations"
CREATE INDEX "conversation_tenant_id_scope_kind_scope_id" ON "conversations" ("tenant_id", "scope_kind", "scope_id");
-- Create index "conversation_tenant_id_user_id_updated_at" to table: "conversations"
CREATE INDEX "conversation_tenant_id_user_id_updated_at" ON "conversations" ("tenant_id", "user_id", "updated_at");
-- Create "memories" table
CREATE TABLE "memories" ("id" uuid NOT NULL, "scope_kind" character varying NOT NULL, "scope_id" uuid NOT NULL, "organisation_id" uuid NULL, "text" character varying NOT NULL, "created_by" uuid NOT NULL, "conversation_id" uuid NULL, "created_at" timestamptz NOT NULL, "tenant_id" uuid NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "memories_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "memory_tenant_id_organisation_id" to table: "memories"
CREATE INDEX "memory_tenant_id_organisation_id" ON "memories" ("tenant_id", "organisation_id");
-- Create index "memory_tenant_id_scope_kind_scope_id_created_at" to table: "memories"
CREATE INDEX "memory_tenant_id_scope_kind_scope_id_created_at" ON "memories" ("tenant_id", "scope_kind", "scope_id", "created_at");
