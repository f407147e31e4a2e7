// Package ingest stores what agents send. One snapshot is one transaction:
// deduplicated by its snapshot id (a retry gets the same acknowledgement),
// sections whose content hash did not change are skipped, the device's facts
// are updated, normalised software rows are rewritten and event-log groups
// and crashes are added to the device's 7-day event window in batches, and
// the analysis job is enqueued — all or nothing.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicesection"
	"github.com/wegweiser/wegweiser/ent/snapshot"
)

// Limits on what one snapshot may carry.
const (
	MaxSoftware  = 20_000
	MaxEventLogs = 5_000
	MaxServices  = 5_000
	MaxCrashes   = 2_000
	maxClockSkew = 24 * time.Hour
)

// metaFields are Snapshot fields that describe the collection, not a section.
var metaFields = map[protoreflect.Name]bool{"snapshot_id": true, "collected_time": true, "agent_version": true}

// Config is what agents are told to do.
type Config struct {
	CheckInInterval, Jitter, HeartbeatInterval time.Duration
}

// DefaultConfig is the agent configuration until policy can change it.
var DefaultConfig = Config{CheckInInterval: 15 * time.Minute, Jitter: 2 * time.Minute, HeartbeatInterval: 5 * time.Minute}

// Service implements ingest.
type Service struct {
	st   *store.Store
	jobs *jobs.Client
	log  *slog.Logger
	now  func() time.Time
}

// NewService returns an ingest service.
func NewService(st *store.Store, jc *jobs.Client, log *slog.Logger) *Service {
	return &Service{st: st, jobs: jc, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock, for tests and simulations that
// replay days of snapshots; call it before the service is used.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Ack acknowledges a stored snapshot.
type Ack struct {
	SnapshotID        uuid.UUID
	ReceivedAt        time.Time
	Duplicate         bool
	UnchangedSections []string
}

// Section is one named part of a snapshot with its deterministic encoding
// and content hash.
type Section struct {
	Name string
	Data []byte
	Hash string
}

// Sections splits a snapshot into its non-empty sections: each is a
// Snapshot holding just that field, encoded deterministically.
func Sections(snap *agentv1.Snapshot) ([]Section, error) {
	var out []Section
	m := snap.ProtoReflect()
	fields := m.Descriptor().Fields()
	opts := proto.MarshalOptions{Deterministic: true}
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if metaFields[fd.Name()] || !m.Has(fd) {
			continue
		}
		one := &agentv1.Snapshot{}
		one.ProtoReflect().Set(fd, m.Get(fd))
		data, err := opts.Marshal(one)
		if err != nil {
			return nil, fmt.Errorf("encode section %s: %w", fd.Name(), err)
		}
		sum := sha256.Sum256(data)
		out = append(out, Section{Name: string(fd.Name()), Data: data, Hash: hex.EncodeToString(sum[:])})
	}
	return out, nil
}

// Validate checks a snapshot before anything is stored.
func (s *Service) Validate(snap *agentv1.Snapshot) (uuid.UUID, error) {
	if snap == nil {
		return uuid.Nil, apperr.Invalid("snapshot", "is required")
	}
	id, err := uuid.Parse(snap.GetSnapshotId())
	if err != nil || id == uuid.Nil {
		return uuid.Nil, apperr.Invalid("snapshot.snapshot_id", "must be a UUID")
	}
	if snap.GetCollectedTime() == nil || !snap.GetCollectedTime().IsValid() {
		return uuid.Nil, apperr.Invalid("snapshot.collected_time", "is required")
	}
	if snap.GetCollectedTime().AsTime().After(s.now().Add(maxClockSkew)) {
		return uuid.Nil, apperr.Invalid("snapshot.collected_time", "is more than a day in the future; check the device clock")
	}
	switch {
	case len(snap.GetSoftware()) > MaxSoftware:
		return uuid.Nil, apperr.Invalid("snapshot.software", "at most %d entries", MaxSoftware)
	case len(snap.GetEventLogs()) > MaxEventLogs:
		return uuid.Nil, apperr.Invalid("snapshot.event_logs", "at most %d entries", MaxEventLogs)
	case len(snap.GetServices()) > MaxServices:
		return uuid.Nil, apperr.Invalid("snapshot.services", "at most %d entries", MaxServices)
	case len(snap.GetCrashes()) > MaxCrashes:
		return uuid.Nil, apperr.Invalid("snapshot.crashes", "at most %d entries", MaxCrashes)
	case len(snap.GetAgentVersion()) > 64:
		return uuid.Nil, apperr.Invalid("snapshot.agent_version", "is too long")
	}
	for i, sw := range snap.GetSoftware() {
		if sw.GetName() == "" || len(sw.GetName()) > 500 || len(sw.GetVersion()) > 200 || len(sw.GetPublisher()) > 500 {
			return uuid.Nil, apperr.Invalid(fmt.Sprintf("snapshot.software[%d]", i), "name must be 1 to 500 characters, version at most 200, publisher at most 500")
		}
	}
	for i, e := range snap.GetEventLogs() {
		if !slices.Contains([]string{"critical", "error", "warning"}, e.GetLevel()) {
			return uuid.Nil, apperr.Invalid(fmt.Sprintf("snapshot.event_logs[%d].level", i), "must be critical, error or warning")
		}
	}
	return id, nil
}

// Submit stores a snapshot for dev (the device of the caller's token) and
// returns the acknowledgement. ctx must carry dev's tenant viewer.
func (s *Service) Submit(ctx context.Context, dev *ent.Device, snap *agentv1.Snapshot) (*Ack, error) {
	id, err := s.Validate(snap)
	if err != nil {
		return nil, err
	}
	// No look-up first: a retry fails on the unique snapshot id inside the
	// transaction, before anything is written, and is answered from the row.
	sections, err := Sections(snap)
	if err != nil {
		return nil, err
	}
	// Microseconds: what both databases keep, so a retry's acknowledgement
	// (read back from the row) equals the first one.
	now := s.now().Truncate(time.Microsecond)
	ack := &Ack{SnapshotID: id, ReceivedAt: now}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		// Serialised with moves and deletions of the device, and its
		// organisation read again under the lock: the token's device was
		// loaded before, and rows must carry where the device is now.
		if err := tx.Lock(ctx, devicedata.LockKey(dev.ID)); err != nil {
			return err
		}
		cur, err := tx.Device.Get(ctx, dev.ID)
		if ent.IsNotFound(err) {
			return apperr.Unauthenticated("this device was deleted; enrol it again")
		}
		if err != nil {
			return fmt.Errorf("load device: %w", err)
		}
		dev = cur
		hashes := make(map[string]string, len(sections))
		for _, sec := range sections {
			hashes[sec.Name] = sec.Hash
		}
		current, err := tx.DeviceSection.Query().
			Where(devicesection.DeviceID(dev.ID)).
			Select(devicesection.FieldID, devicesection.FieldName, devicesection.FieldHash).All(ctx)
		if err != nil {
			return fmt.Errorf("load sections: %w", err)
		}
		have := make(map[string]*ent.DeviceSection, len(current))
		for _, c := range current {
			have[c.Name] = c
		}
		var changed []string
		for _, sec := range sections {
			if c, ok := have[sec.Name]; ok && c.Hash == sec.Hash {
				ack.UnchangedSections = append(ack.UnchangedSections, sec.Name)
				continue
			}
			changed = append(changed, sec.Name)
		}
		if err := tx.Snapshot.Create().
			SetTenantID(dev.TenantID).SetDeviceID(dev.ID).SetOrganisationID(dev.OrganisationID).
			SetSnapshotID(id).SetCollectedAt(snap.GetCollectedTime().AsTime()).SetReceivedAt(now).
			SetAgentVersion(snap.GetAgentVersion()).SetSectionHashes(hashes).SetChangedSections(changed).
			SetSizeBytes(proto.Size(snap)).Exec(ctx); err != nil {
			return fmt.Errorf("store snapshot: %w", err)
		}
		// Every changed section in one upsert.
		var upserts []*ent.DeviceSectionCreate
		for _, sec := range sections {
			if slices.Contains(changed, sec.Name) {
				upserts = append(upserts, tx.DeviceSection.Create().SetTenantID(dev.TenantID).SetDeviceID(dev.ID).
					SetOrganisationID(dev.OrganisationID).SetName(sec.Name).SetHash(sec.Hash).
					SetData(sec.Data).SetSnapshotID(id).SetUpdatedAt(now))
			}
		}
		if len(upserts) > 0 {
			err := tx.DeviceSection.CreateBulk(upserts...).
				OnConflictColumns(devicesection.FieldTenantID, devicesection.FieldDeviceID, devicesection.FieldName).
				UpdateNewValues().Exec(ctx)
			if err != nil {
				return fmt.Errorf("store sections: %w", err)
			}
		}
		if slices.Contains(changed, "software") {
			if err := WriteSoftware(ctx, tx, dev, snap.GetSoftware()); err != nil {
				return err
			}
		}
		// Events and crashes add to the device's window (agents send only
		// what is new since their last collection); what ended before the
		// window is pruned on every snapshot. An unchanged section holds
		// groups stored already.
		collected, cutoff := snap.GetCollectedTime().AsTime(), now.Add(-devicedata.EventWindow)
		var events []*agentv1.EventLogGroup
		if slices.Contains(changed, "event_logs") {
			events = snap.GetEventLogs()
		}
		if err := WriteEventLogs(ctx, tx, dev, events, collected, cutoff); err != nil {
			return err
		}
		var crashes []*agentv1.Crash
		if slices.Contains(changed, "crashes") {
			crashes = snap.GetCrashes()
		}
		if err := WriteCrashes(ctx, tx, dev, crashes, collected, cutoff); err != nil {
			return err
		}
		if err := updateFacts(ctx, tx, dev, snap, now); err != nil {
			return err
		}
		if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.AnalyzeDeviceArgs{TenantID: dev.TenantID, DeviceID: dev.ID, SnapshotID: id}); err != nil {
			// Nothing is kept: the agent keeps the snapshot and retries.
			return apperr.Unavailable(err, "could not queue the snapshot for analysis; nothing was stored, retry later")
		}
		return nil
	})
	if ent.IsConstraintError(err) {
		// A concurrent retry stored the same snapshot first.
		if ack, err := s.existing(ctx, dev, id); ack != nil || err != nil {
			return ack, err
		}
	}
	if err != nil {
		return nil, err
	}
	return ack, nil
}

// existing returns the acknowledgement of an already stored snapshot.
func (s *Service) existing(ctx context.Context, dev *ent.Device, id uuid.UUID) (*Ack, error) {
	prev, err := s.st.Ent.Snapshot.Query().Where(snapshot.DeviceID(dev.ID), snapshot.SnapshotID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check snapshot: %w", err)
	}
	ack := &Ack{SnapshotID: id, ReceivedAt: prev.ReceivedAt, Duplicate: true}
	for name := range prev.SectionHashes {
		if !slices.Contains(prev.ChangedSections, name) {
			ack.UnchangedSections = append(ack.UnchangedSections, name)
		}
	}
	slices.Sort(ack.UnchangedSections)
	return ack, nil
}

// updateFacts copies what the device list shows from the snapshot.
func updateFacts(ctx context.Context, tx *store.Tx, dev *ent.Device, snap *agentv1.Snapshot, now time.Time) error {
	// The snapshot counter lives on the device row so that reads need not
	// count every snapshot of the device.
	upd := tx.Device.Update().Where(device.ID(dev.ID)).SetLastSeenAt(now).SetLastSnapshotAt(now).AddSnapshotCount(1)
	if v := snap.GetAgentVersion(); v != "" {
		upd.SetAgentVersion(v)
	}
	if os := snap.GetOs(); os != nil {
		if h := strings.TrimSpace(os.GetHostname()); h != "" && len(h) <= 255 {
			upd.SetHostname(h)
		}
		if p := device.Platform(os.GetPlatform()); device.PlatformValidator(p) == nil {
			upd.SetPlatform(p)
		}
		upd.SetOsName(validate.Clip(os.GetName(), 255)).SetOsVersion(validate.Clip(os.GetVersion(), 255))
		if os.GetServer() {
			upd.SetRole(device.RoleServer)
		} else {
			upd.SetRole(device.RoleWorkstation)
		}
	}
	if hw := snap.GetHardware(); hw != nil {
		upd.SetManufacturer(validate.Clip(hw.GetManufacturer(), 255)).SetModel(validate.Clip(hw.GetModel(), 255)).SetSerialNumber(validate.Clip(hw.GetSerialNumber(), 255))
	}
	if nw := snap.GetNetwork(); nw != nil {
		var ips []string
		for _, ifc := range nw.GetInterfaces() {
			for _, a := range ifc.GetAddresses() {
				ip, _, _ := strings.Cut(a, "/")
				if ip != "" && ip != "127.0.0.1" && ip != "::1" && !strings.HasPrefix(ip, "fe80:") && len(ips) < 32 {
					ips = append(ips, ip)
				}
			}
		}
		upd.SetIPAddresses(ips)
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("update device facts: %w", err)
	}
	return nil
}

// Heartbeat records that a device's agent is alive and how its spool is.
func (s *Service) Heartbeat(ctx context.Context, dev *ent.Device, agentVersion string, spooled int32, dropped int64) error {
	if len(agentVersion) > 64 || spooled < 0 || dropped < 0 {
		return apperr.Invalid("agent_version", "agent version at most 64 characters, counters not negative")
	}
	upd := s.st.Ent.Device.UpdateOneID(dev.ID).SetLastSeenAt(s.now()).
		SetSpooledSnapshots(int(spooled)).SetDroppedSnapshots(dropped)
	if agentVersion != "" {
		upd.SetAgentVersion(agentVersion)
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("record heartbeat: %w", err)
	}
	return nil
}
