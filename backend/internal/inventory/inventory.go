// Package inventory answers what devices reported: the latest snapshot of a
// device rebuilt from its stored sections, its software and event logs, and
// software across an organisation. Everything is read as the viewer in the
// context, so privacy rules confine it to the viewer's tenant and scope.
package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/crashreport"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicesection"
	"github.com/wegweiser/wegweiser/ent/eventloggroup"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/snapshot"
)

// Service implements inventory queries.
type Service struct {
	st  *store.Store
	now func() time.Time
}

// NewService returns an inventory service.
func NewService(st *store.Store) *Service {
	return &Service{st: st, now: func() time.Time { return time.Now().UTC() }}
}

// Latest is a device's latest snapshot.
type Latest struct {
	Snapshot   *agentv1.Snapshot
	ReceivedAt time.Time
	// Count is how many snapshots the device has sent (its counter, kept by
	// ingest in each snapshot's transaction).
	Count int
}

func (s *Service) device(ctx context.Context, id uuid.UUID) (*ent.Device, error) {
	d, err := s.st.Ent.Device.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("device")
	}
	return d, err
}

// Device returns the latest snapshot of a device (nil when it never
// reported), merged from its current sections.
func (s *Service) Device(ctx context.Context, id uuid.UUID) (*Latest, error) {
	if _, err := s.device(ctx, id); err != nil {
		return nil, err
	}
	return s.DeviceTx(ctx, s.st.Ent, id)
}

// DeviceTx is Device read through c (a transaction's client); the caller
// has checked the device exists.
func (s *Service) DeviceTx(ctx context.Context, c *ent.Client, id uuid.UUID) (*Latest, error) {
	out := &Latest{}
	// One primary-key read and one indexed "latest" read, however many
	// snapshots the device has sent.
	count, err := c.Device.Query().Where(device.ID(id)).Select(device.FieldSnapshotCount).Int(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("load snapshot count: %w", err)
	}
	out.Count = count
	last, err := c.Snapshot.Query().Where(snapshot.DeviceID(id)).
		Order(ent.Desc(snapshot.FieldReceivedAt), ent.Desc(snapshot.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest snapshot: %w", err)
	}
	sections, err := c.DeviceSection.Query().Where(devicesection.DeviceID(id)).
		Order(ent.Asc(devicesection.FieldName)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load sections: %w", err)
	}
	snap := &agentv1.Snapshot{}
	for _, sec := range sections {
		part := &agentv1.Snapshot{}
		if err := proto.Unmarshal(sec.Data, part); err != nil {
			return nil, fmt.Errorf("decode section %s: %w", sec.Name, err)
		}
		proto.Merge(snap, part)
	}
	snap.SnapshotId = last.SnapshotID.String()
	snap.CollectedTime = timestamppb.New(last.CollectedAt)
	snap.AgentVersion = last.AgentVersion
	out.Snapshot, out.ReceivedAt = snap, last.ReceivedAt
	return out, nil
}

// Software lists a device's software by name.
func (s *Service) Software(ctx context.Context, deviceID uuid.UUID, query string, pageSize int, token string) ([]*ent.InstalledSoftware, string, error) {
	filter := "sw q=" + query
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.device(ctx, deviceID); err != nil {
		return nil, "", err
	}
	preds := []predicate.InstalledSoftware{installedsoftware.DeviceID(deviceID)}
	if query != "" {
		preds = append(preds, installedsoftware.Or(installedsoftware.NameContainsFold(query), installedsoftware.PublisherContainsFold(query)))
	}
	if cur != nil {
		id, err := uuid.Parse(cur.ID)
		if err != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		preds = append(preds, pagetoken.After(installedsoftware.FieldName, installedsoftware.FieldID, cur.Key, id, false))
	}
	rows, err := s.st.Ent.InstalledSoftware.Query().Where(preds...).
		Order(ent.Asc(installedsoftware.FieldName), ent.Asc(installedsoftware.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list software: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.Name, ID: last.ID.String(), Filter: filter})
	}
	return rows, next, nil
}

// EventLogs lists a device's event-log groups of the event window (the
// last devicedata.EventWindow), most recent first.
func (s *Service) EventLogs(ctx context.Context, deviceID uuid.UUID, level, query string, pageSize int, token string) ([]*ent.EventLogGroup, string, error) {
	filter := "ev l=" + level + " q=" + query
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	if level != "" && level != "critical" && level != "error" && level != "warning" {
		return nil, "", apperr.Invalid("level", "must be critical, error or warning")
	}
	if _, err := s.device(ctx, deviceID); err != nil {
		return nil, "", err
	}
	// The window: what retention has not pruned yet is left out as well.
	preds := []predicate.EventLogGroup{eventloggroup.DeviceID(deviceID), eventloggroup.LastSeenGTE(s.now().Add(-devicedata.EventWindow))}
	if level != "" {
		preds = append(preds, eventloggroup.Level(level))
	}
	if query != "" {
		preds = append(preds, eventloggroup.Or(eventloggroup.SourceContainsFold(query), eventloggroup.SampleMessageContainsFold(query)))
	}
	if cur != nil {
		id, err1 := uuid.Parse(cur.ID)
		t, err2 := time.Parse(time.RFC3339Nano, cur.Key)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		preds = append(preds, pagetoken.After(eventloggroup.FieldLastSeen, eventloggroup.FieldID, t, id, true))
	}
	rows, err := s.st.Ent.EventLogGroup.Query().Where(preds...).
		Order(ent.Desc(eventloggroup.FieldLastSeen), ent.Desc(eventloggroup.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list event logs: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.LastSeen.UTC().Format(time.RFC3339Nano), ID: last.ID.String(), Filter: filter})
	}
	return rows, next, nil
}

// SoftwareVersion is one name and version with how many devices have it.
type SoftwareVersion struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Publisher string `json:"publisher"`
	Devices   int    `json:"devices"`
}

// Fleet lists software across the devices of an organisation (or all the
// viewer can see) by name and version.
func (s *Service) Fleet(ctx context.Context, orgID uuid.UUID, query string, pageSize int, token string) ([]SoftwareVersion, string, error) {
	filter := fmt.Sprintf("fleet o=%s q=%s", orgID, query)
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	var preds []predicate.InstalledSoftware
	if orgID != uuid.Nil {
		if _, err := s.st.Ent.Organisation.Get(ctx, orgID); err != nil {
			if ent.IsNotFound(err) {
				return nil, "", apperr.NotFound("organisation")
			}
			return nil, "", err
		}
		preds = append(preds, installedsoftware.OrganisationID(orgID))
	}
	if query != "" {
		preds = append(preds, installedsoftware.NameContainsFold(query))
	}
	if cur != nil {
		// Key is "name\x00version" of the last row.
		name, version, _ := strings.Cut(cur.Key, "\x00")
		preds = append(preds, pagetoken.After(installedsoftware.FieldName, installedsoftware.FieldVersion, name, version, false))
	}
	var rows []SoftwareVersion
	err = s.st.Ent.InstalledSoftware.Query().Where(preds...).
		Order(ent.Asc(installedsoftware.FieldName), ent.Asc(installedsoftware.FieldVersion)).
		Limit(pageSize+1).
		GroupBy(installedsoftware.FieldName, installedsoftware.FieldVersion).
		Aggregate(func(sel *sql.Selector) string {
			return sql.As(sql.Max(sel.C(installedsoftware.FieldPublisher)), "publisher")
		}, func(sel *sql.Selector) string {
			return sql.As("COUNT(DISTINCT "+sel.C(installedsoftware.FieldDeviceID)+")", "devices")
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, "", fmt.Errorf("list fleet software: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.Name + "\x00" + last.Version, ID: "fleet", Filter: filter})
	}
	return rows, next, nil
}

// Window is a device's event window: the event-log groups and crashes its
// snapshots reported that ended at or after since, read through c (a
// transaction's client), oldest first. Stored groups carry their source
// address; crashes their time.
func (s *Service) Window(ctx context.Context, c *ent.Client, deviceID uuid.UUID, since time.Time) ([]*agentv1.EventLogGroup, []*agentv1.Crash, error) {
	rows, err := c.EventLogGroup.Query().Where(eventloggroup.DeviceID(deviceID), eventloggroup.LastSeenGTE(since)).
		Order(ent.Asc(eventloggroup.FieldLastSeen), ent.Asc(eventloggroup.FieldID)).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load event window: %w", err)
	}
	ts := func(t time.Time) *timestamppb.Timestamp {
		if t.IsZero() || t.Year() <= 1 {
			return nil
		}
		return timestamppb.New(t)
	}
	events := make([]*agentv1.EventLogGroup, 0, len(rows))
	for _, r := range rows {
		events = append(events, &agentv1.EventLogGroup{
			Log: r.Log, Source: r.Source, EventId: r.EventID, Level: r.Level, Count: r.Count, SourceAddress: r.SourceAddress,
			FirstTime: ts(r.FirstSeen), LastTime: ts(r.LastSeen), SampleMessage: r.SampleMessage,
		})
	}
	crows, err := c.CrashReport.Query().Where(crashreport.DeviceID(deviceID), crashreport.CrashedAtGTE(since)).
		Order(ent.Asc(crashreport.FieldCrashedAt), ent.Asc(crashreport.FieldID)).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load crash window: %w", err)
	}
	crashes := make([]*agentv1.Crash, 0, len(crows))
	for _, r := range crows {
		crashes = append(crashes, &agentv1.Crash{Application: r.Application, Time: timestamppb.New(r.CrashedAt), Detail: r.Detail})
	}
	return events, crashes, nil
}
