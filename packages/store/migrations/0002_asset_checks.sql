CREATE TABLE "almanac"."asset_checks" (
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"check_name" text NOT NULL,
	"status" text NOT NULL,
	"severity" text NOT NULL,
	"failures" integer,
	"message" text,
	"run_id" uuid,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "asset_checks_pkey" PRIMARY KEY("asset_key","partition_key","check_name"),
	CONSTRAINT "asset_checks_status_check" CHECK ("status" in ('passed', 'warned', 'failed')),
	CONSTRAINT "asset_checks_severity_check" CHECK ("severity" in ('warn', 'error'))
);
