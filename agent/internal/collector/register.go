package collector

import "time"

// The collectors. Their implementations live in collect_<os>.go (and
// collect_other.go for other systems); the parsers they use are portable.
func init() {
	register(Collector{Name: "os", Timeout: 30 * time.Second, Collect: collectOS})
	register(Collector{Name: "hardware", Timeout: 45 * time.Second, Collect: collectHardware})
	register(Collector{Name: "storage", Timeout: 60 * time.Second, Collect: collectStorage})
	register(Collector{Name: "network", Timeout: 30 * time.Second, Collect: collectNetwork})
	register(Collector{Name: "performance", Timeout: 2 * time.Minute, Alone: true, Collect: collectPerformance})
	register(Collector{Name: "software", Timeout: 2 * time.Minute, Collect: collectSoftware})
	register(Collector{Name: "services", Timeout: 30 * time.Second, Collect: collectServices})
	register(Collector{Name: "reboot", Timeout: 30 * time.Second, Collect: collectReboot})
	register(Collector{Name: "patches", Timeout: 5 * time.Minute, CacheFor: 4 * time.Hour, Collect: collectPatches})
	register(Collector{Name: "security", Timeout: 60 * time.Second, Collect: collectSecurity})
	register(Collector{Name: "eventlogs", Timeout: 2 * time.Minute, Collect: collectEventLogs})
	register(Collector{Name: "crashes", Timeout: 60 * time.Second, Collect: collectCrashes})
	register(Collector{Name: "lynis", Timeout: 10 * time.Second, Collect: collectLynis})
	register(Collector{Name: "osquery", Timeout: 60 * time.Second, Collect: collectOsquery})
}
