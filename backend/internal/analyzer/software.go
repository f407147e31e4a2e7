package analyzer

import (
	"fmt"
	"strings"
)

var softwareChecks = []check{
	{
		// CIS Controls v8, 2.2 "Ensure authorized software is currently
		// supported". Fail after the vendor's end of support, warn in the last
		// 180 days. Dates: softwareEOL below.
		info: CheckInfo{ID: "software.end_of_life", Domain: Software, Title: "Unsupported software",
			Unit: "days until end of support", Compare: "<", Warn: f64(180), Fail: f64(0),
			WarnSeverity: Low, Severity: Medium,
			Source:      "CIS Controls v8 2.2; vendor life cycles (Microsoft, Adobe, Oracle, python.org, nodejs.org, php.net, postgresql.org, openssl.org)",
			Description: "Installed programs and packages whose vendor support has ended or ends soon."},
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

func checkSoftwareEOL(e *env) {
	sw := e.s.GetSoftware()
	if len(sw) == 0 {
		e.unknown("", "The snapshot lists no installed software.")
		return
	}
	seen := map[string]bool{}
	n := 0
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
			end := mustDate(r.end)
			left := days(end.Sub(e.asOf))
			st, _ := e.level(left)
			if st == Pass {
				break
			}
			n++
			f := Finding{Subject: p.GetName(), Status: st,
				Evidence: []Evidence{
					{"program", strings.TrimSpace(p.GetName() + " " + p.GetVersion()), fmt.Sprintf("software[%d]", i)},
					{"end of support", r.end, "eol table: " + r.product},
				},
				Recommendation: "Upgrade " + r.product + " to a supported version or uninstall it if nobody needs it.",
			}
			if st == Fail {
				f.Title = r.product + " is no longer supported"
				f.Detail = fmt.Sprintf("%s (%s) reached the end of vendor support on %s and gets no security fixes.", p.GetName(), p.GetVersion(), r.end)
			} else {
				f.Title = r.product + " loses support soon"
				f.Detail = fmt.Sprintf("%s (%s) is supported until %s.", p.GetName(), p.GetVersion(), r.end)
			}
			e.add(f)
			break
		}
	}
	if n == 0 {
		e.add(Finding{Status: Pass, Title: "No unsupported software found",
			Detail:   fmt.Sprintf("None of the %d installed programs is in the end-of-support table.", len(sw)),
			Evidence: []Evidence{{"programs", fmt.Sprint(len(sw)), "software"}}})
	}
}
