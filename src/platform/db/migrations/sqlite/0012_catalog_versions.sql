-- A tenant's catalog version: raised by every change to its items or categories, whatever makes
-- it (API, import, another server process or node), so that a server can tell whether the
-- catalog it holds in memory is still current with one lookup instead of reading it whole.
-- Not a foreign key: the triggers also run for rows deleted with their tenant.
CREATE TABLE catalog_versions (
  tenant_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);

CREATE TRIGGER items_version_insert AFTER INSERT ON items BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER items_version_update AFTER UPDATE ON items BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER items_version_delete AFTER DELETE ON items BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER categories_version_insert AFTER INSERT ON categories BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER categories_version_update AFTER UPDATE ON categories BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER categories_version_delete AFTER DELETE ON categories BEGIN
  INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
