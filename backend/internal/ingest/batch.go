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
	"github.com/wegweiser/wegweiser/ent/crashreport"
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

// eventKey is the deduplication key of a stored event-log group within one
// device: log, source, event id, level, source address and the time span.
// The same group reported twice (a retried collection, or an agent that read
// the same span again after a restart) is stored once; its count and sample
// are the latest report's. Groups of adjacent collections have different
// spans and are kept side by side; a span that only partly overlaps a
// stored one is a different group (agents collect since their last
// collection, so that happens only when an agent's cursor is lost).
type eventKey struct {
	log, source, level, address string
	id                          int64
	first, last                 time.Time
}

// eventRow is one group as stored.
type eventRow struct {
	eventKey
	count  int64
	sample string
}

// eventRows normalises groups for storage: text clipped to the column
// sizes, times in UTC at microsecond precision (what both databases keep,
// so keys compare equal), a missing last time taken from the first or from
// collected, groups that ended before cutoff dropped, and duplicates within
// the snapshot merged (the largest count wins).
func eventRows(items []*agentv1.EventLogGroup, collected, cutoff time.Time) []eventRow {
	ts := func(t interface{ AsTime() time.Time }, ok bool) time.Time {
		if !ok {
			return time.Time{}
		}
		return t.AsTime().UTC().Truncate(time.Microsecond)
	}
	idx := map[eventKey]int{}
	var out []eventRow
	for _, e := range items {
		k := eventKey{
			log: validate.Clip(e.GetLog(), 200), source: validate.Clip(e.GetSource(), 500), level: e.GetLevel(),
			address: validate.Clip(e.GetSourceAddress(), 64), id: e.GetEventId(),
			first: ts(e.GetFirstTime(), e.GetFirstTime() != nil), last: ts(e.GetLastTime(), e.GetLastTime() != nil),
		}
		if k.last.IsZero() {
			k.last = k.first
		}
		if k.last.IsZero() {
			k.last = collected.UTC().Truncate(time.Microsecond)
		}
		if k.last.Before(cutoff) {
			continue
		}
		if i, ok := idx[k]; ok {
			out[i].count = max(out[i].count, e.GetCount())
			continue
		}
		idx[k] = len(out)
		out = append(out, eventRow{eventKey: k, count: e.GetCount(), sample: validate.Clip(e.GetSampleMessage(), 4000)})
	}
	return out
}

// WriteEventLogs adds a snapshot's event-log groups to the device's event
// window and prunes groups that ended before cutoff (now minus
// devicedata.EventWindow), in the caller's transaction. Groups are upserted
// on their deduplication key (see eventKey). On PostgreSQL the rows go in one
// INSERT … SELECT FROM unnest(arrays) … ON CONFLICT; on SQLite in multi-row
// upserts.
func WriteEventLogs(ctx context.Context, tx *store.Tx, dev *ent.Device, items []*agentv1.EventLogGroup, collected, cutoff time.Time) error {
	if _, err := tx.EventLogGroup.Delete().Where(eventloggroup.DeviceID(dev.ID), eventloggroup.LastSeenLT(cutoff)).Exec(ctx); err != nil {
		return fmt.Errorf("prune event logs: %w", err)
	}
	rows := eventRows(items, collected, cutoff)
	if len(rows) == 0 {
		return nil
	}
	if tx.Dialect == dialect.Postgres {
		n := len(rows)
		ids, logs, sources, levels, addrs, samples := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		eventIDs, counts := make([]int64, n), make([]int64, n)
		firsts, lasts := make([]time.Time, n), make([]time.Time, n)
		for i, r := range rows {
			ids[i], logs[i], sources[i], levels[i], addrs[i], samples[i] = newID(), r.log, r.source, r.level, r.address, r.sample
			eventIDs[i], counts[i], firsts[i], lasts[i] = r.id, r.count, r.first, r.last
		}
		_, err := tx.SQL.ExecContext(ctx, `INSERT INTO event_log_groups
			(id, tenant_id, device_id, organisation_id, log, source, event_id, level, source_address, count, first_seen, last_seen, sample_message)
			SELECT u.id::uuid, $1, $2, $3, u.log, u.source, u.event_id, u.level, u.addr, u.count, u.first_seen, u.last_seen, u.sample
			FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::timestamptz[], $12::timestamptz[], $13::text[])
			AS u(id, log, source, event_id, level, addr, count, first_seen, last_seen, sample)
			ON CONFLICT (tenant_id, device_id, log, source, event_id, level, source_address, first_seen, last_seen)
			DO UPDATE SET count = EXCLUDED.count, sample_message = EXCLUDED.sample_message, organisation_id = EXCLUDED.organisation_id`,
			dev.TenantID, dev.ID, dev.OrganisationID, ids, logs, sources, eventIDs, levels, addrs, counts, firsts, lasts, samples)
		if err != nil {
			return fmt.Errorf("store event logs: %w", err)
		}
		return nil
	}
	for start := 0; start < len(rows); start += sqliteBatch {
		end := min(start+sqliteBatch, len(rows))
		bulk := make([]*ent.EventLogGroupCreate, 0, end-start)
		for _, r := range rows[start:end] {
			bulk = append(bulk, tx.EventLogGroup.Create().SetTenantID(dev.TenantID).SetDeviceID(dev.ID).
				SetOrganisationID(dev.OrganisationID).SetLog(r.log).SetSource(r.source).SetEventID(r.id).SetLevel(r.level).
				SetSourceAddress(r.address).SetCount(r.count).SetFirstSeen(r.first).SetLastSeen(r.last).SetSampleMessage(r.sample))
		}
		err := tx.EventLogGroup.CreateBulk(bulk...).
			OnConflictColumns(eventloggroup.FieldTenantID, eventloggroup.FieldDeviceID, eventloggroup.FieldLog, eventloggroup.FieldSource,
				eventloggroup.FieldEventID, eventloggroup.FieldLevel, eventloggroup.FieldSourceAddress, eventloggroup.FieldFirstSeen, eventloggroup.FieldLastSeen).
			Update(func(u *ent.EventLogGroupUpsert) { u.UpdateCount().UpdateSampleMessage().UpdateOrganisationID() }).Exec(ctx)
		if err != nil {
			return fmt.Errorf("store event logs: %w", err)
		}
	}
	return nil
}

// WriteCrashes adds a snapshot's crashes to the device's event window and
// prunes crashes before cutoff, like WriteEventLogs. A crash is stored once
// per application and time (a crash without a time is dated collected);
// a repeated report updates its detail.
func WriteCrashes(ctx context.Context, tx *store.Tx, dev *ent.Device, items []*agentv1.Crash, collected, cutoff time.Time) error {
	if _, err := tx.CrashReport.Delete().Where(crashreport.DeviceID(dev.ID), crashreport.CrashedAtLT(cutoff)).Exec(ctx); err != nil {
		return fmt.Errorf("prune crashes: %w", err)
	}
	type key struct {
		app string
		at  time.Time
	}
	seen := map[key]bool{}
	var bulk []*ent.CrashReportCreate
	for _, c := range items {
		at := collected
		if c.GetTime() != nil && c.GetTime().IsValid() {
			at = c.GetTime().AsTime()
		}
		k := key{validate.Clip(c.GetApplication(), 500), at.UTC().Truncate(time.Microsecond)}
		if k.at.Before(cutoff) || seen[k] {
			continue
		}
		seen[k] = true
		bulk = append(bulk, tx.CrashReport.Create().SetTenantID(dev.TenantID).SetDeviceID(dev.ID).SetOrganisationID(dev.OrganisationID).
			SetApplication(k.app).SetCrashedAt(k.at).SetDetail(validate.Clip(c.GetDetail(), 2000)))
	}
	for start := 0; start < len(bulk); start += sqliteBatch {
		end := min(start+sqliteBatch, len(bulk))
		err := tx.CrashReport.CreateBulk(bulk[start:end]...).
			OnConflictColumns(crashreport.FieldTenantID, crashreport.FieldDeviceID, crashreport.FieldApplication, crashreport.FieldCrashedAt).
			Update(func(u *ent.CrashReportUpsert) { u.UpdateDetail().UpdateOrganisationID() }).Exec(ctx)
		if err != nil {
			return fmt.Errorf("store crashes: %w", err)
		}
	}
	return nil
}
