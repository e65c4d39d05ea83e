-- A tenant's catalog version: raised by every change to its items or categories, whatever makes
-- it (API, import, another server node), so that a server can tell whether the catalog it holds
-- in memory is still current with one lookup instead of reading it whole. Not a foreign key: the
-- triggers also run for rows deleted with their tenant. Writers of one tenant's catalog queue
-- on its version row until they commit.
CREATE TABLE catalog_versions (
  tenant_id TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);

CREATE FUNCTION raise_catalog_version() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO catalog_versions (tenant_id, version)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = catalog_versions.version + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER items_version AFTER INSERT OR UPDATE OR DELETE ON items
  FOR EACH ROW EXECUTE FUNCTION raise_catalog_version();
CREATE TRIGGER categories_version AFTER INSERT OR UPDATE OR DELETE ON categories
  FOR EACH ROW EXECUTE FUNCTION raise_catalog_version();
