package analyzer

import (
	"strconv"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// The end-of-support tables below are dated: they hold what the vendors had
// published by November 2026. A product missing from them is "unknown", never
// "supported". Sources:
//   - Windows: Microsoft Lifecycle (learn.microsoft.com/lifecycle), "Windows 10
//     / Windows 11 release information" (Home/Pro vs Enterprise/Education end
//     dates) and the Windows Server products' extended end dates.
//   - macOS: Apple does not publish end dates; in practice Apple ships
//     security updates for the current major release and the two before it.
//     A major release's support is taken to end when the third newer one ships
//     (dates of the macOS releases; marked "estimated" for future ones).
//   - Linux: Debian LTS end dates (wiki.debian.org/LTS), Ubuntu standard
//     support (ubuntu.com/about/release-cycle, without Ubuntu Pro/ESM), Red Hat
//     Enterprise Linux maintenance support end (and the rebuilds that follow
//     it: Rocky, Alma), CentOS.

// osSupport is the result of an end-of-support lookup.
type osSupport struct {
	product string    // e.g. "Windows 10 22H2 (Pro)"
	end     time.Time // last day of security updates
	note    string    // e.g. "estimated"
}

// windows client editions: version → [Home/Pro end, Enterprise/Education end].
var win10 = map[string][2]string{
	"1507": {"2017-05-09", "2017-05-09"}, "1511": {"2017-10-10", "2018-04-10"}, "1607": {"2018-04-10", "2019-04-09"},
	"1703": {"2018-10-09", "2019-10-08"}, "1709": {"2019-04-09", "2020-10-13"}, "1803": {"2019-11-12", "2021-05-11"},
	"1809": {"2020-11-10", "2021-05-11"}, "1903": {"2020-12-08", "2020-12-08"}, "1909": {"2021-05-11", "2022-05-10"},
	"2004": {"2021-12-14", "2021-12-14"}, "20H2": {"2022-05-10", "2023-05-09"}, "21H1": {"2022-12-13", "2022-12-13"},
	"21H2": {"2023-06-13", "2024-06-11"}, "22H2": {"2025-10-14", "2025-10-14"},
}

var win11 = map[string][2]string{
	"21H2": {"2023-10-10", "2024-10-08"}, "22H2": {"2024-10-08", "2025-10-14"}, "23H2": {"2025-11-11", "2026-11-10"},
	"24H2": {"2026-10-13", "2027-10-12"}, "25H2": {"2027-10-12", "2028-10-10"},
}

// windowsBuilds maps a build number to its feature-update version, for
// agents that report only the build.
var windowsBuilds = map[int]string{
	10240: "1507", 10586: "1511", 14393: "1607", 15063: "1703", 16299: "1709", 17134: "1803", 17763: "1809",
	18362: "1903", 18363: "1909", 19041: "2004", 19042: "20H2", 19043: "21H1", 19044: "21H2", 19045: "22H2",
	22000: "21H2", 22621: "22H2", 22631: "23H2", 26100: "24H2", 26200: "25H2",
}

// windowsOther are products matched by name (LTSC channels, servers, older
// clients); the first match wins, so longer names come first.
var windowsOther = []struct{ match, end, label string }{
	{"ltsb 2015", "2025-10-14", "Windows 10 Enterprise LTSB 2015"}, {"ltsb 2016", "2026-10-13", "Windows 10 Enterprise LTSB 2016"},
	{"ltsc 2019", "2029-01-09", "Windows 10 Enterprise LTSC 2019"}, {"ltsc 2021", "2027-01-12", "Windows 10 Enterprise LTSC 2021"},
	{"ltsc 2024", "2029-10-09", "Windows 11 Enterprise LTSC 2024"},
	{"server 2025", "2034-10-10", "Windows Server 2025"}, {"server 2022", "2031-10-14", "Windows Server 2022"},
	{"server 2019", "2029-01-09", "Windows Server 2019"}, {"server 2016", "2027-01-12", "Windows Server 2016"},
	{"server 2012 r2", "2023-10-10", "Windows Server 2012 R2"}, {"server 2012", "2023-10-10", "Windows Server 2012"},
	{"server 2008 r2", "2020-01-14", "Windows Server 2008 R2"}, {"server 2008", "2020-01-14", "Windows Server 2008"},
	{"server 2003", "2015-07-14", "Windows Server 2003"},
	{"windows 8.1", "2023-01-10", "Windows 8.1"}, {"windows 8", "2016-01-12", "Windows 8"}, {"windows 7", "2020-01-14", "Windows 7"},
	{"windows xp", "2014-04-08", "Windows XP"}, {"windows vista", "2017-04-11", "Windows Vista"},
}

// macOS majors in release order: version, release date, end of support
// (release date of the third newer major; estimated when in the future).
type macRelease struct {
	major, name, released, end string
	estEnd                     bool
}

var macOSReleases = []macRelease{
	{"10.13", "High Sierra", "2017-09-25", "2020-11-12", false},
	{"10.14", "Mojave", "2018-09-24", "2021-10-25", false},
	{"10.15", "Catalina", "2019-10-07", "2022-10-24", false},
	{"11", "Big Sur", "2020-11-12", "2023-09-26", false},
	{"12", "Monterey", "2021-10-25", "2024-09-16", false},
	{"13", "Ventura", "2022-10-24", "2025-09-15", false},
	{"14", "Sonoma", "2023-09-26", "2026-09-15", false},
	{"15", "Sequoia", "2024-09-16", "2027-09-14", true},
	{"26", "Tahoe", "2025-09-15", "2028-09-12", true},
}

// linuxReleases: distribution key (lower-case name fragment), version, end.
var linuxReleases = []struct{ distro, version, end, label string }{
	{"debian", "9", "2022-06-30", "Debian 9 (LTS)"}, {"debian", "10", "2024-06-30", "Debian 10 (LTS)"},
	{"debian", "11", "2026-08-31", "Debian 11 (LTS)"}, {"debian", "12", "2028-06-30", "Debian 12 (LTS)"},
	{"debian", "13", "2030-06-30", "Debian 13 (LTS)"},
	{"ubuntu", "16.04", "2021-04-30", "Ubuntu 16.04 LTS"}, {"ubuntu", "18.04", "2023-05-31", "Ubuntu 18.04 LTS"},
	{"ubuntu", "20.04", "2025-05-31", "Ubuntu 20.04 LTS"}, {"ubuntu", "22.04", "2027-04-30", "Ubuntu 22.04 LTS"},
	{"ubuntu", "24.04", "2029-04-30", "Ubuntu 24.04 LTS"}, {"ubuntu", "23.10", "2024-07-11", "Ubuntu 23.10"},
	{"ubuntu", "24.10", "2025-07-10", "Ubuntu 24.10"}, {"ubuntu", "25.04", "2026-01-15", "Ubuntu 25.04"},
	{"red hat", "7", "2024-06-30", "RHEL 7"}, {"red hat", "8", "2029-05-31", "RHEL 8"}, {"red hat", "9", "2032-05-31", "RHEL 9"},
	{"rocky", "8", "2029-05-31", "Rocky Linux 8"}, {"rocky", "9", "2032-05-31", "Rocky Linux 9"},
	{"alma", "8", "2029-05-31", "AlmaLinux 8"}, {"alma", "9", "2032-05-31", "AlmaLinux 9"},
	{"centos stream", "8", "2024-05-31", "CentOS Stream 8"}, {"centos stream", "9", "2027-05-31", "CentOS Stream 9"},
	{"centos", "7", "2024-06-30", "CentOS Linux 7"}, {"centos", "8", "2021-12-31", "CentOS Linux 8"},
}

// lookupOSSupport finds the end of support of the snapshot's OS.
func lookupOSSupport(os *agentv1.OperatingSystem) (osSupport, bool) {
	name := strings.ToLower(os.GetName())
	switch strings.ToLower(os.GetPlatform()) {
	case "windows":
		return lookupWindows(name, os.GetVersion(), os.GetBuild())
	case "macos":
		if r, ok := macOSRelease(os.GetVersion()); ok {
			s := osSupport{product: "macOS " + r.major + " " + r.name, end: mustDate(r.end)}
			if r.estEnd {
				s.note = "estimated: support ends when the third newer macOS ships"
			}
			return s, true
		}
	case "linux":
		v := strings.TrimSpace(os.GetVersion())
		for _, r := range linuxReleases {
			if !strings.Contains(name, r.distro) && !(r.distro == "red hat" && strings.Contains(name, "rhel")) {
				continue
			}
			if r.distro == "centos" && strings.Contains(name, "stream") {
				continue
			}
			if v == r.version || strings.HasPrefix(v, r.version+".") || strings.HasPrefix(v, r.version+" ") {
				return osSupport{product: r.label, end: mustDate(r.end)}, true
			}
		}
	}
	return osSupport{}, false
}

func lookupWindows(name, version, build string) (osSupport, bool) {
	for _, o := range windowsOther {
		if strings.Contains(name, o.match) {
			return osSupport{product: o.label, end: mustDate(o.end)}, true
		}
	}
	if strings.Contains(name, "server") {
		return osSupport{}, false
	}
	buildNo := 0
	if b, _, _ := strings.Cut(build, "."); b != "" {
		buildNo, _ = strconv.Atoi(b)
	}
	v := strings.ToUpper(strings.TrimSpace(version))
	if v == "" || (win10[v] == [2]string{} && win11[v] == [2]string{}) {
		v = windowsBuilds[buildNo]
	}
	table, major := win10, "10"
	// Windows 11 still calls itself "Windows 10" in the registry's
	// ProductName; the build number tells them apart.
	if strings.Contains(name, "windows 11") || buildNo >= 22000 {
		table, major = win11, "11"
	} else if !strings.Contains(name, "windows 10") && buildNo == 0 {
		return osSupport{}, false
	}
	dates, ok := table[v]
	if !ok {
		return osSupport{}, false
	}
	ed, i := "Home/Pro", 0
	if strings.Contains(name, "enterprise") || strings.Contains(name, "education") {
		ed, i = "Enterprise/Education", 1
	}
	return osSupport{product: "Windows " + major + " " + v + " (" + ed + ")", end: mustDate(dates[i])}, true
}

// macOSRelease finds the major release of a macOS version string.
func macOSRelease(version string) (r macRelease, ok bool) {
	v := strings.TrimSpace(version)
	for _, x := range macOSReleases {
		if v == x.major || strings.HasPrefix(v, x.major+".") {
			return x, true
		}
	}
	return r, false
}
