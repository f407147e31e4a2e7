package analyzer

import (
	"fmt"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var softwareChecks = []check{
	{
		// CIS Controls v8, 2.2 "Ensure authorized software is currently
		// supported". Fail after the end of support, warn in the last 180
		// days. Who supports the build decides the date: upstream's
		// (softwareEOL below) for vendor installers, the distribution
		// release's (eol.go) for the distribution's own dpkg/rpm packages,
		// which get backported fixes (Debian security FAQ, Red Hat
		// "Backporting security fixes").
		info: CheckInfo{ID: "software.end_of_life", Domain: Software, Title: "Unsupported software",
			Unit: "days until end of support", Compare: "<", Warn: f64(180), Fail: f64(0),
			WarnSeverity: Low, Severity: Medium,
			Source:      "CIS Controls v8 2.2; vendor life cycles (Microsoft, Adobe, Oracle, python.org, nodejs.org, php.net, postgresql.org, openssl.org); distribution packages: the release's support (Debian security FAQ, Red Hat backporting policy)",
			Description: "Installed programs and packages whose support has ended or ends soon: upstream's for vendor builds, the distribution release's for its own packages."},
		run: checkSoftwareEOL,
	},
}

// eolRule matches an installed program: every fragment of all must occur in
// its lower-case name; when version is set, the program's version must start
// with it (or, for packages named like "python3.8", the name must carry it).
type eolRule struct {
	product string
	all     []string
	version string
	none    []string
	end     string
}

// softwareEOL is dated (November 2026); sources in each vendor's life-cycle page.
var softwareEOL = []eolRule{
	{"Adobe Flash Player", []string{"flash player"}, "", nil, "2020-12-31"},
	{"Microsoft Silverlight", []string{"silverlight"}, "", nil, "2021-10-12"},
	{"Adobe Reader XI / Acrobat XI", []string{"adobe", " xi"}, "", nil, "2017-10-15"},
	{"Adobe Acrobat 2017", []string{"acrobat", "2017"}, "", nil, "2022-06-06"},
	{"Adobe Acrobat 2020", []string{"acrobat", "2020"}, "", nil, "2025-11-30"},
	{"Microsoft Office 2010", []string{"microsoft office", "2010"}, "", nil, "2020-10-13"},
	{"Microsoft Office 2013", []string{"microsoft office", "2013"}, "", nil, "2023-04-11"},
	{"Microsoft Office 2016", []string{"microsoft office", "2016"}, "", nil, "2025-10-14"},
	{"Microsoft Office 2019", []string{"microsoft office", "2019"}, "", nil, "2025-10-14"},
	{"Microsoft Exchange Server 2013", []string{"exchange server", "2013"}, "", nil, "2023-04-11"},
	{"Microsoft Exchange Server 2016", []string{"exchange server", "2016"}, "", nil, "2025-10-14"},
	{"Microsoft Exchange Server 2019", []string{"exchange server", "2019"}, "", nil, "2025-10-14"},
	{"Microsoft SQL Server 2012", []string{"sql server 2012"}, "", []string{"native client", "odbc"}, "2022-07-12"},
	{"Microsoft SQL Server 2014", []string{"sql server 2014"}, "", []string{"native client", "odbc"}, "2024-07-09"},
	{"Microsoft SQL Server 2016", []string{"sql server 2016"}, "", []string{"native client", "odbc"}, "2026-07-14"},
	{"Java 7", []string{"java 7"}, "", nil, "2022-07-19"},
	{"Java 6", []string{"java(tm) 6"}, "", nil, "2018-12-31"},
	{"Python 2.7", []string{"python"}, "2.7", nil, "2020-01-01"},
	{"Python 3.6", []string{"python"}, "3.6", nil, "2021-12-23"},
	{"Python 3.7", []string{"python"}, "3.7", nil, "2023-06-27"},
	{"Python 3.8", []string{"python"}, "3.8", nil, "2024-10-07"},
	{"Python 3.9", []string{"python"}, "3.9", nil, "2025-10-31"},
	{"Node.js 14", []string{"node"}, "14.", nil, "2023-04-30"},
	{"Node.js 16", []string{"node"}, "16.", nil, "2023-09-11"},
	{"Node.js 18", []string{"node"}, "18.", nil, "2025-04-30"},
	{"Node.js 20", []string{"node"}, "20.", nil, "2026-04-30"},
	{"PHP 7.4", []string{"php"}, "7.4", nil, "2022-11-28"},
	{"PHP 8.0", []string{"php"}, "8.0", nil, "2023-11-26"},
	{"PHP 8.1", []string{"php"}, "8.1", nil, "2025-12-31"},
	{"PostgreSQL 11", []string{"postgresql"}, "11", nil, "2023-11-09"},
	{"PostgreSQL 12", []string{"postgresql"}, "12", nil, "2024-11-21"},
	{"PostgreSQL 13", []string{"postgresql"}, "13", nil, "2025-11-13"},
	{"PostgreSQL 14", []string{"postgresql"}, "14", nil, "2026-11-12"},
	{"OpenSSL 1.0", []string{"openssl"}, "1.0.", nil, "2019-12-31"},
	{"OpenSSL 1.1.1", []string{"openssl"}, "1.1.1", nil, "2023-09-11"},
}

// match reports whether a program (lower-case name, version) matches r.
func (r *eolRule) match(name, version string) bool {
	for _, a := range r.all {
		if !strings.Contains(name, a) {
			return false
		}
	}
	for _, n := range r.none {
		if strings.Contains(name, n) {
			return false
		}
	}
	if r.version == "" {
		return true
	}
	// Packages often carry their version in the name: "python3.8",
	// "php7.4-fpm", "postgresql-12", "Python 3.8.10 (64-bit)". A name that
	// carries only the major ("python3") is decided by the version field.
	key := strings.TrimSuffix(r.version, ".")
	if tok := nameVersion(name, r.all[0]); tok != "" {
		if tok == key || strings.HasPrefix(tok, key+".") {
			return true
		}
		if !strings.HasPrefix(key, tok+".") {
			return false
		}
	}
	v := strings.TrimLeft(version, "v")
	if i := strings.IndexByte(v, ':'); i >= 0 && i < 3 { // dpkg epoch "2:8.2+93"
		v = v[i+1:]
	}
	return strings.HasPrefix(v, r.version) && (len(v) == len(r.version) || strings.HasSuffix(r.version, ".") || !isDigit(v[len(r.version)]))
}

// nameVersion returns the version token (digits and dots) that follows
// prefix in name, skipping separators: "postgresql-12" → "12",
// "nodejs-16" → "16", "node.js" → "".
func nameVersion(name, prefix string) string {
	i := strings.Index(name, prefix)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(name[i+len(prefix):], " -.js")
	j := 0
	for j < len(rest) && (isDigit(rest[j]) || rest[j] == '.') {
		j++
	}
	return strings.TrimSuffix(rest[:j], ".")
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// distroVendors are rpm vendors that are the distribution itself.
var distroVendors = []string{"red hat", "centos", "rocky", "almalinux", "fedora", "suse", "oracle america", "amazon", "cloudlinux"}

// thirdPartyBuild are version and publisher fragments of packages built
// outside the distribution although installed with its package manager:
// PostgreSQL's PGDG, NodeSource, Launchpad PPAs, Ondřej Surý's PHP builds
// ("+0~20240606…").
var thirdPartyBuild = []string{"pgdg", "nodesource", "ppa", "sury", "+0~20", "postgresql global development group", "remi"}

// distroPackage reports whether an installed program is the distribution's
// own build: installed by dpkg or rpm, with no third-party build marker in
// its version or publisher, and (rpm) with a distribution as its vendor.
// Distributions backport security fixes into the versions they ship (e.g.
// RHEL 8's python3.6, Debian 12's openssl 3.0), so such a package is
// supported for as long as the distribution release is, not as long as the
// upstream project supports that version.
func distroPackage(p *agentv1.InstalledSoftware) bool {
	src := strings.ToLower(p.GetSource())
	if src != "dpkg" && src != "rpm" {
		return false
	}
	v, pub := strings.ToLower(p.GetVersion()), strings.ToLower(p.GetPublisher())
	for _, m := range thirdPartyBuild {
		if strings.Contains(v, m) || strings.Contains(pub, m) {
			return false
		}
	}
	if src == "rpm" && pub != "" && pub != "(none)" {
		for _, d := range distroVendors {
			if strings.Contains(pub, d) {
				return true
			}
		}
		return false
	}
	return true
}

func checkSoftwareEOL(e *env) {
	sw := e.s.GetSoftware()
	if len(sw) == 0 {
		e.unknown("", "The snapshot lists no installed software.")
		return
	}
	// The distribution release that supports its own packages, when known.
	var distro osSupport
	distroOK := false
	if e.platform() == "linux" {
		distro, distroOK = lookupOSSupport(e.s.GetOs())
	}
	seen := map[string]bool{}
	n, byDistro := 0, 0
	for i, p := range sw {
		name := strings.ToLower(p.GetName())
		for ri := range softwareEOL {
			r := &softwareEOL[ri]
			if !r.match(name, p.GetVersion()) {
				continue
			}
			key := r.product + "\x00" + p.GetName()
			if seen[key] {
				break
			}
			seen[key] = true
			endDate, supporter, endSrc := r.end, "the vendor", "eol table: "+r.product
			if distroOK && distroPackage(p) {
				endDate, supporter, endSrc = distro.end.Format("2006-01-02"), distro.product, "os end-of-life table: "+distro.product
				byDistro++
			}
			end := mustDate(endDate)
			left := days(end.Sub(e.asOf))
			st, _ := e.level(left)
			if st == Pass {
				break
			}
			n++
			f := Finding{Subject: p.GetName(), Status: st,
				Evidence: []Evidence{
					{"program", strings.TrimSpace(p.GetName() + " " + p.GetVersion()), fmt.Sprintf("software[%d]", i)},
					{"supported by", supporter + " (" + orNone(p.GetSource()) + ", " + orNone(p.GetPublisher()) + ")", fmt.Sprintf("software[%d].source", i)},
					{"end of support", endDate, endSrc},
				},
				Recommendation: "Upgrade " + r.product + " to a supported version or uninstall it if nobody needs it.",
			}
			if supporter != "the vendor" {
				f.Recommendation = "Upgrade the distribution to a supported release (the package gets fixes only while " + supporter + " does), or uninstall the package if nobody needs it."
			}
			if st == Fail {
				f.Title = r.product + " is no longer supported"
				f.Detail = fmt.Sprintf("%s (%s) reached the end of support by %s on %s and gets no security fixes.", p.GetName(), p.GetVersion(), supporter, endDate)
			} else {
				f.Title = r.product + " loses support soon"
				f.Detail = fmt.Sprintf("%s (%s) is supported by %s until %s.", p.GetName(), p.GetVersion(), supporter, endDate)
			}
			e.add(f)
			break
		}
	}
	if n == 0 {
		f := Finding{Status: Pass, Title: "No unsupported software found",
			Detail:   fmt.Sprintf("None of the %d installed programs is past or near its end of support.", len(sw)),
			Evidence: []Evidence{{"programs", fmt.Sprint(len(sw)), "software"}}}
		if byDistro > 0 {
			f.Detail += fmt.Sprintf(" %s from %s counted with the distribution's support, not upstream's.",
				plural(int64(byDistro), "package", "packages"), distro.product)
			f.Evidence = append(f.Evidence, Evidence{"distribution packages in the table", fmt.Sprintf("%d (supported until %s by %s)", byDistro, distro.end.Format("2006-01-02"), distro.product), "software[].source"})
		}
		e.add(f)
	}
}
