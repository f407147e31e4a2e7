package ingest

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/eventloggroup"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
)

// sqliteBatch bounds rows per multi-row INSERT on SQLite.
const sqliteBatch = 200

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// WriteSoftware replaces a device's normalised software rows. On PostgreSQL
// the rows go in one INSERT … SELECT FROM unnest(arrays), which costs about
// as much as COPY; on SQLite in multi-row INSERTs. Both run in the caller's
// transaction with the tenant and organisation of the device.
func WriteSoftware(ctx context.Context, tx *store.Tx, dev *ent.Device, items []*agentv1.InstalledSoftware) error {
	if _, err := tx.InstalledSoftware.Delete().Where(installedsoftware.DeviceID(dev.ID)).Exec(ctx); err != nil {
		return fmt.Errorf("clear software: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	if tx.Dialect == dialect.Postgres {
		n := len(items)
		ids, names, versions, publishers, dates, sources := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, sw := range items {
			ids[i], names[i], versions[i], publishers[i], dates[i], sources[i] = newID(), sw.GetName(), sw.GetVersion(), sw.GetPublisher(), validate.Clip(sw.GetInstallDate(), 32), validate.Clip(sw.GetSource(), 32)
		}
		_, err := tx.SQL.ExecContext(ctx, `INSERT INTO installed_softwares
			(id, tenant_id, device_id, organisation_id, name, version, publisher, install_date, source)
			SELECT u.id::uuid, $1, $2, $3, u.name, u.version, u.publisher, u.install_date, u.source
			FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
			AS u(id, name, version, publisher, install_date, source)`,
			dev.TenantID, dev.ID, dev.OrganisationID, ids, names, versions, publishers, dates, sources)
		if err != nil {
			return fmt.Errorf("insert software: %w", err)
		}
		return nil
	}
	for start := 0; start < len(items); start += sqliteBatch {
		end := min(start+sqliteBatch, len(items))
		bulk := make([]*ent.InstalledSoftwareCreate, 0, end-start)
		for _, sw := range items[start:end] {
			bulk = append(bulk, tx.InstalledSoftware.Create().SetTenantID(dev.TenantID).SetDeviceID(dev.ID).
				SetOrganisationID(dev.OrganisationID).SetName(sw.GetName()).SetVersion(sw.GetVersion()).
				SetPublisher(sw.GetPublisher()).SetInstallDate(validate.Clip(sw.GetInstallDate(), 32)).SetSource(validate.Clip(sw.GetSource(), 32)))
		}
		if err := tx.InstalledSoftware.CreateBulk(bulk...).Exec(ctx); err != nil {
			return fmt.Errorf("insert software: %w", err)
		}
	}
	return nil
}

// WriteEventLogs replaces a device's event-log groups, like WriteSoftware.
func WriteEventLogs(ctx context.Context, tx *store.Tx, dev *ent.Device, items []*agentv1.EventLogGroup) error {
	if _, err := tx.EventLogGroup.Delete().Where(eventloggroup.DeviceID(dev.ID)).Exec(ctx); err != nil {
		return fmt.Errorf("clear event logs: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	ts := func(e interface{ AsTime() time.Time }, ok bool) time.Time {
		if !ok {
			return time.Time{}
		}
		return e.AsTime().UTC()
	}
	if tx.Dialect == dialect.Postgres {
		n := len(items)
		ids, logs, sources, levels, samples := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		eventIDs, counts := make([]int64, n), make([]int64, n)
		firsts, lasts := make([]time.Time, n), make([]time.Time, n)
		for i, e := range items {
			ids[i], logs[i], sources[i], levels[i], samples[i] = newID(), validate.Clip(e.GetLog(), 200), validate.Clip(e.GetSource(), 500), e.GetLevel(), validate.Clip(e.GetSampleMessage(), 4000)
			eventIDs[i], counts[i] = e.GetEventId(), e.GetCount()
			firsts[i], lasts[i] = ts(e.GetFirstTime(), e.GetFirstTime() != nil), ts(e.GetLastTime(), e.GetLastTime() != nil)
		}
		_, err := tx.SQL.ExecContext(ctx, `INSERT INTO event_log_groups
			(id, tenant_id, device_id, organisation_id, log, source, event_id, level, count, first_seen, last_seen, sample_message)
			SELECT u.id::uuid, $1, $2, $3, u.log, u.source, u.event_id, u.level, u.count, u.first_seen, u.last_seen, u.sample
			FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[], $12::text[])
			AS u(id, log, source, event_id, level, count, first_seen, last_seen, sample)`,
			dev.TenantID, dev.ID, dev.OrganisationID, ids, logs, sources, eventIDs, levels, counts, firsts, lasts, samples)
		if err != nil {
			return fmt.Errorf("insert event logs: %w", err)
		}
		return nil
	}
	for start := 0; start < len(items); start += sqliteBatch {
		end := min(start+sqliteBatch, len(items))
		bulk := make([]*ent.EventLogGroupCreate, 0, end-start)
		for _, e := range items[start:end] {
			bulk = append(bulk, tx.EventLogGroup.Create().SetTenantID(dev.TenantID).SetDeviceID(dev.ID).
				SetOrganisationID(dev.OrganisationID).SetLog(validate.Clip(e.GetLog(), 200)).SetSource(validate.Clip(e.GetSource(), 500)).
				SetEventID(e.GetEventId()).SetLevel(e.GetLevel()).SetCount(e.GetCount()).
				SetFirstSeen(ts(e.GetFirstTime(), e.GetFirstTime() != nil)).SetLastSeen(ts(e.GetLastTime(), e.GetLastTime() != nil)).
				SetSampleMessage(validate.Clip(e.GetSampleMessage(), 4000)))
		}
		if err := tx.EventLogGroup.CreateBulk(bulk...).Exec(ctx); err != nil {
			return fmt.Errorf("insert event logs: %w", err)
		}
	}
	return nil
}
