package analyzer

import (
	"fmt"
	"strings"
)

var performanceChecks = []check{
	{
		// Wegweiser default (mean of recent samples > 80 % warn, > 95 % fail);
		// around Zabbix's "High CPU utilization" trigger (90 %) and
		// common RMM defaults.
		info: CheckInfo{ID: "performance.cpu", Domain: Performance, Title: "Sustained CPU load",
			Unit: "% mean utilisation", Compare: ">", Warn: f64(80), Fail: f64(95),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Wegweiser default (80 % / 95 %) around the Zabbix OS templates' High CPU utilization trigger (90 %)",
			Description: "Mean of the CPU utilisation samples of the collection interval."},
		run: func(e *env) {
			checkUtilisation(e, "CPU", "performance.cpu_percent", e.s.GetPerformance().GetCpuPercent(),
				"Find the process using the CPU (Task Manager / top), stop or fix it, or add capacity if the load is legitimate.")
		},
	},
	{
		// Wegweiser default (> 80 % warn, > 95 % fail) around Zabbix "High memory
		// utilization" (90 %).
		info: CheckInfo{ID: "performance.memory", Domain: Performance, Title: "Sustained memory use",
			Unit: "% mean utilisation", Compare: ">", Warn: f64(80), Fail: f64(95),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Wegweiser default (80 % / 95 %) around the Zabbix OS templates' High memory utilization trigger (90 %)",
			Description: "Mean of the memory utilisation samples of the collection interval."},
		run: func(e *env) {
			checkUtilisation(e, "memory", "performance.memory_percent", e.s.GetPerformance().GetMemoryPercent(),
				"Find what uses the memory (Task Manager / top / Activity Monitor), restart leaking processes, or add memory.")
		},
	},
	{
		// Zabbix Linux template: "High swap space usage" fires below 50 % free;
		// 80 % used means the machine is paging heavily.
		info: CheckInfo{ID: "performance.swap", Domain: Performance, Title: "Swap / page file use",
			Unit: "% used", Compare: ">", Warn: f64(50), Fail: f64(80),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Zabbix Linux template (High swap space usage, < 50 % free)",
			Description: "Share of swap or page file in use."},
		run: checkSwap,
	},
	{
		// Zabbix Linux template: "Load average is too high" at 1.5 per CPU; a
		// 15-minute load of three per CPU is a saturated machine.
		info: CheckInfo{ID: "performance.load_average", Domain: Performance, Title: "Load average per CPU", Platforms: []string{"linux", "macos"},
			Unit: "15-minute load per logical CPU", Compare: ">", Warn: f64(1.5), Fail: f64(3),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Zabbix Linux template (Load average is too high, > 1.5 per CPU)",
			Description: "15-minute load average divided by the number of logical CPUs."},
		run: checkLoad,
	},
}

func checkUtilisation(e *env, what, src string, samples []float64, rec string) {
	if len(samples) == 0 {
		e.unknown("", "No "+what+" samples in the snapshot.")
		return
	}
	var sum, peak float64
	for _, v := range samples {
		sum += v
		peak = max(peak, v)
	}
	mean := sum / float64(len(samples))
	interval := e.s.GetPerformance().GetSampleIntervalSeconds()
	e.graded(mean, Finding{
		Title: fmt.Sprintf("%s at %s on average", upperFirst(what), fmtPct(mean)),
		Detail: fmt.Sprintf("%s utilisation averaged %s over %d samples %d s apart (peak %s).", upperFirst(what), fmtPct(mean),
			len(samples), interval, fmtPct(peak)),
		Evidence: []Evidence{
			{"mean", fmtPct(mean), src},
			{"peak", fmtPct(peak), src},
			{"samples", fmt.Sprintf("%d × %d s", len(samples), interval), "performance.sample_interval_seconds"},
		},
		Recommendation: rec,
	})
}

func checkSwap(e *env) {
	p := e.s.GetPerformance()
	if p == nil {
		e.unknown("", "No performance data in the snapshot.")
		return
	}
	v := p.GetSwapPercent()
	e.graded(v, Finding{
		Title:          "Swap / page file " + fmtPct(v) + " used",
		Detail:         "The machine has " + fmtPct(v) + " of its swap space or page file in use.",
		Evidence:       []Evidence{{"swap used", fmtPct(v), "performance.swap_percent"}},
		Recommendation: "The machine runs short of memory: find the processes that use it, or add memory.",
	})
}

func checkLoad(e *env) {
	la := e.s.GetPerformance().GetLoadAverage()
	cpus := e.s.GetHardware().GetCpuThreads()
	if len(la) < 3 || cpus <= 0 {
		e.unknown("", "The load average or the number of logical CPUs is not reported.")
		return
	}
	per := la[2] / float64(cpus)
	e.graded(per, Finding{
		Title:  fmt.Sprintf("Load %.2f per CPU over 15 minutes", per),
		Detail: fmt.Sprintf("Load averages %.2f / %.2f / %.2f (1, 5, 15 min) on %d logical CPUs.", la[0], la[1], la[2], cpus),
		Evidence: []Evidence{
			{"15-minute load", fmt.Sprintf("%.2f", la[2]), "performance.load_average[2]"},
			{"logical CPUs", fmt.Sprint(cpus), "hardware.cpu_threads"},
		},
		Recommendation: "Find what keeps the run queue full (top, iotop, vmstat): CPU-bound processes or processes waiting on slow storage.",
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
