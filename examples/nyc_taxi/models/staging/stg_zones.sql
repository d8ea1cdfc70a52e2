-- One row per TLC location id. The raw lookup has one row per zone polygon, so ids 56 and
-- 103 appear more than once; joining on it as-is would double-count their trips.
select distinct on (location_id)
  location_id::integer as location_id,
  borough::text as borough,
  zone::text as zone_name
from {{ source('raw', 'zones') }}
order by location_id, zone
