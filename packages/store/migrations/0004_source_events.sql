CREATE TABLE "almanac"."source_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"partitions_def" text,
	"partition_from" text,
	"partition_to" text,
	"reported_by" text NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_events_range_check" CHECK (("partition_from" is null) = ("partition_to" is null) and ("partition_from" is null) = ("partitions_def" is null))
);
--> statement-breakpoint
CREATE INDEX "source_events_source_key_reported_at_idx" ON "almanac"."source_events" USING btree ("source_key","reported_at");