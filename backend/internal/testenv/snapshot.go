package testenv

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// SampleSnapshot returns a realistic Linux snapshot with software packages
// and event-log groups, under a fresh snapshot id.
func SampleSnapshot(hostname string, software, events int) *agentv1.Snapshot {
	now := time.Now().UTC()
	s := &agentv1.Snapshot{
		SnapshotId:    uuid.NewString(),
		CollectedTime: timestamppb.New(now),
		AgentVersion:  "0.1.0",
		Os: &agentv1.OperatingSystem{
			Platform: "linux", Name: "Debian GNU/Linux", Version: "12", Build: "6.1.0-26-amd64",
			Architecture: "amd64", Hostname: hostname, BootTime: timestamppb.New(now.Add(-72 * time.Hour)),
		},
		Hardware: &agentv1.Hardware{Manufacturer: "Dell Inc.", Model: "OptiPlex 7010", SerialNumber: "SN-" + hostname, CpuModel: "Intel Core i5-13500", CpuCores: 14, MemoryBytes: 16 << 30},
		Storage: &agentv1.Storage{Volumes: []*agentv1.Volume{
			{MountPoint: "/", FileSystem: "ext4", SizeBytes: 256 << 30, FreeBytes: 100 << 30, System: true},
		}},
		Network: &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{
			{Name: "eth0", MacAddress: "00:11:22:33:44:55", Addresses: []string{"10.1.2.3/24", "fe80::1/64"}, Mtu: 1500, SpeedMbps: 1000, Up: true},
		}, DefaultGateways: []string{"10.1.2.1"}, DnsServers: []string{"10.1.2.1"}},
		Performance: &agentv1.Performance{CpuPercent: []float64{12, 15, 9}, MemoryPercent: []float64{40, 41, 40}, SampleIntervalSeconds: 1},
		Security: &agentv1.Security{
			Firewall:   []*agentv1.FirewallProfile{{Profile: "default", Enabled: true, Product: "nftables"}},
			Encryption: &agentv1.DiskEncryption{Enabled: true, Method: "luks"},
		},
	}
	for i := 0; i < software; i++ {
		s.Software = append(s.Software, &agentv1.InstalledSoftware{
			Name: fmt.Sprintf("package-%04d", i), Version: fmt.Sprintf("1.%d.0", i%7), Publisher: "Debian", Source: "dpkg",
		})
	}
	for i := 0; i < events; i++ {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{
			Log: "journal", Source: fmt.Sprintf("unit-%d.service", i), Level: []string{"warning", "error", "critical"}[i%3],
			Count: int64(i + 1), FirstTime: timestamppb.New(now.Add(-time.Hour)), LastTime: timestamppb.New(now.Add(-time.Duration(i) * time.Second)),
			SampleMessage: fmt.Sprintf("sample message %d", i),
		})
	}
	return s
}

// SnapshotJSON wraps a snapshot in a SubmitSnapshotRequest as JSON.
func SnapshotJSON(s *agentv1.Snapshot) []byte {
	b, err := protojson.Marshal(&agentv1.SubmitSnapshotRequest{Snapshot: s})
	if err != nil {
		panic(err)
	}
	return b
}
