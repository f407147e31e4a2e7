package analyzer

import (
	"fmt"
	"testing"
)

// BenchmarkAnalyze measures one analysis of a typical snapshot: a simulated
// Windows workstation with ~150 programs, event logs and crashes (P7:
// analyzer CPU median ≤ 1 ms per device).
func BenchmarkAnalyze(b *testing.B) {
	for _, name := range []string{"sim-sick-windows-server-SIM-SRV-023", "windows-laptop-failing-disk", "linux-server-lynis-ssh"} {
		in := corpusInput(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Analyze(in, Policy{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRollUp measures a roll-up of 10,000 devices.
func BenchmarkRollUp(b *testing.B) {
	ms := make([]Member, 10000)
	for i := range ms {
		ms[i] = Member{ID: fmt.Sprintf("dev-%05d", i), Score: 1 + (i*37)%100, Scored: i%50 != 0, Server: i%10 == 0, Stale: i%40 == 0}
	}
	b.ReportAllocs()
	for b.Loop() {
		RollUp(ms)
	}
}
