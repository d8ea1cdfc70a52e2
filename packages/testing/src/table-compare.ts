import type pg from "pg";

/** A fingerprint of a table's full contents, in a stable order: equal fingerprints, equal tables. */
export async function tableFingerprint(
  db: pg.Pool | pg.ClientBase,
  relation: string,
  orderBy: string,
): Promise<string> {
  const { rows } = await db.query<{ md5: string | null; n: string }>(
    `select md5(string_agg(t::text, E'\\n' order by ${orderBy})) as md5, count(*) as n from ${relation} t`,
  );
  return `${rows[0]?.n}:${rows[0]?.md5}`;
}

/** Rows in one query's result and not the other's, both ways (EXCEPT ALL): empty means equal. */
export async function symmetricDifference(db: pg.Pool | pg.ClientBase, a: string, b: string): Promise<unknown[]> {
  const { rows } = await db.query(
    `(select 'only in first' as side, * from ((${a}) except all (${b})) x)
     union all
     (select 'only in second' as side, * from ((${b}) except all (${a})) y)`,
  );
  return rows;
}
