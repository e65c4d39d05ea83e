-- The impressions a decision counts for caps are kept in the decision's own
-- row (column counters) instead of a table of their own, as on SQLite
-- (docs/adr/0006, "Fewer pages per decision (stop 15)"). Format: JSON groups
-- of a scope followed by its keys, [["placement","home"],["item","a","b"]],
-- written without spaces; NULL when it counted nothing or after the counters'
-- retention (src/modules/decisions/decisions.store.ts).

ALTER TABLE decisions ADD COLUMN counters TEXT;

-- Each decision's counters come from the rows counted for its subject at its
-- time (the same transaction wrote both). Two decisions of one subject in one
-- millisecond cannot be told apart: their rows go to the first, so that none
-- is counted twice. Packed item rows (scope 'items', a JSON array of ids
-- written by JSON.stringify) are unpacked into the group "item".
UPDATE decisions d SET counters = g.counters
  FROM (SELECT tenant_id, subject_id, at,
               '[' || string_agg(CASE WHEN scope = 'items' THEN '["item",' || substr(key, 2)
                                      ELSE '[' || to_json(scope)::text || ',' || to_json(key)::text || ']' END,
                                 ',') || ']' AS counters
          FROM decision_counters GROUP BY tenant_id, subject_id, at) g
 WHERE d.tenant_id = g.tenant_id AND d.subject_id = g.subject_id AND d.created_at = g.at
   AND NOT EXISTS (SELECT 1 FROM decisions x
                    WHERE x.tenant_id = d.tenant_id AND x.subject_id = d.subject_id
                      AND x.created_at = d.created_at AND x.id < d.id);

DROP TABLE decision_counters;

-- The retention sweep clears the counters of old decisions.
CREATE INDEX decisions_counted_age ON decisions(created_at) WHERE counters IS NOT NULL;
