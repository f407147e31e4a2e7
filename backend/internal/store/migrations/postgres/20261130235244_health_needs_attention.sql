-- Modify "device_healths" table
ALTER TABLE "device_healths" ADD COLUMN "needs_attention" boolean NOT NULL DEFAULT false;
-- Modify "entity_healths" table
ALTER TABLE "entity_healths" ADD COLUMN "needs_attention" bigint NOT NULL DEFAULT 0;
