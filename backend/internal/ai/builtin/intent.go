package builtin

import (
	"regexp"
	"strings"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
)

var (
	reCompare      = regexp.MustCompile(`\b(compare|comparison|compared|versus|vs\.?|vergleich\w*|other (organisations|organizations|customers|clients)|all (organisations|organizations|customers|clients)|each (organisation|organization|customer|client)|which (organisation|organization|customer|client)s?|organisations?|organizations?|customers|clients|median|baseline|kunden)\b`)
	reChanged      = regexp.MustCompile(`\b(what changed|what has changed|changed|change|changes|why .*(down|drop|dropped|fell|fall|falling|worse|lower|low|up|better|higher|poor|critical|bad)|score (went|is|was) (down|up)|drop(ped)?|declin\w*|regress\w*|trend|history|over time|verlauf|warum|geändert|gesunken|verändert|was ist passiert)\b`)
	reDisk         = regexp.MustCompile(`\b(run(ning)? out|fill(ing|s)? up|filling|(disks?|drives?|volumes?) (is |are |will be |going to be )?full|full disks?|forecast|disk space|free space|low (on )?(disk|space)|out of (disk|space)|speicherplatz|platte (läuft )?voll|festplatte voll|voll)\b`)
	reSilent       = regexp.MustCompile(`\b(silent|offline|not reporting|stopped reporting|stale|no contact|not checked in|haven'?t (reported|checked in)|have not (reported|checked in)|last seen|check-?ins?|went quiet|gone quiet|dark|nicht gemeldet|stumm|melden sich nicht)\b`)
	reWorst        = regexp.MustCompile(`\b(worst|needs? (my |our )?attention|attention|prioriti[sz]e|priorit\w*|poorest|lowest|sickest|sick|unhealthy|in trouble|problems?|fix first|urgent|most at risk|schlechteste\w*|kritisch\w*|aufmerksamkeit|dringend)\b`)
	reEvents       = regexp.MustCompile(`\b(event ?logs?|events?|event id|log entries|logs|ereignis\w*)\b`)
	reHealth       = regexp.MustCompile(`\b(health|score|how is|how's|status|state|wrong|issues?|going on|the matter|wie geht|zustand|doing|was ist los)\b`)
	reSW           = regexp.MustCompile(`\b(who has|who runs|who uses|runs?|running|installed|install|version of|versions of|which version|what version|without|don'?t have|do not have|doesn'?t have|does not have|missing|lacks?|lacking|software|programs?|apps?|installiert|ohne|version)\b`)
	reMissing      = regexp.MustCompile(`\b(without|don'?t have|do not have|doesn'?t have|does not have|missing|lacks?|lacking|not installed|ohne|nicht installiert|fehlt)\b`)
	reEventID      = regexp.MustCompile(`\b(?:event(?: ?id)?|id|ereignis(?:-?id)?)\s*#?(\d{2,6})\b`)
	reDays30       = regexp.MustCompile(`\b(month|30 days|four weeks|4 weeks|monat)\b`)
	reDays90       = regexp.MustCompile(`\b(quarter|90 days|three months|3 months|quartal)\b`)
	reQuoted       = regexp.MustCompile(`["“„']([^"”“']{2,80})["”“']`)
	reOS           = regexp.MustCompile(`\b(windows(?: server)?(?: (?:7|8|10|11|20\d\d))?|macos(?: \d+)?|mac ?os|macs?|linux|debian|ubuntu)\b`)
	reServers      = regexp.MustCompile(`\b(servers?|server\w*)\b`)
	reWorkstations = regexp.MustCompile(`\b(workstations?|laptops?|notebooks?|desktops?|pcs|clients?|arbeitsplätze|arbeitsplatz)\b`)
	reWord         = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}._-]*[\p{L}\p{N}]|[\p{L}\p{N}]`)
	// Program names follow these phrases.
	reProgram = []*regexp.Regexp{
		regexp.MustCompile(`(?:version|versions) of ([\p{L}\p{N} .+#_-]+?)(?:\?|$| (?:is|are|do|does|on|in|installed|run|across)\b)`),
		regexp.MustCompile(`(?:who has|who runs|who uses|which (?:devices|machines|computers|pcs|servers|workstations|laptops) (?:have|has|run|runs|use)|devices with|machines with) ([\p{L}\p{N} .+#_-]+?)(?:\?|$| (?:installed|and|on|in)\b)`),
		regexp.MustCompile(`(?:without|don'?t have|do not have|doesn'?t have|does not have|lack|lacks|lacking|missing|ohne) ([\p{L}\p{N} .+#_-]+?)(?:\?|$| (?:installed|and|on|in)\b)`),
		regexp.MustCompile(`(?:is|are) ([\p{L}\p{N} .+#_-]+?) installed`),
		regexp.MustCompile(`(?:hat|haben) ([\p{L}\p{N} .+#_-]+?) installiert`),
		regexp.MustCompile(`([\p{L}\p{N}.+#_-]+) (?:installed|installiert)`),
	}
)

// checkWords maps words of questions to the checks they are about.
var checkWords = []struct {
	re     *regexp.Regexp
	checks []string
}{
	{regexp.MustCompile(`\b(bitlocker|filevault|luks|encrypt\w*|unencrypted|verschlüssel\w*)\b`), []string{"security.disk_encryption"}},
	{regexp.MustCompile(`\b(antivirus|anti-virus|virus|defender|malware|real-?time protection|virenschutz|av)\b`), []string{"security.antivirus"}},
	{regexp.MustCompile(`\bfirewall\b`), []string{"security.firewall"}},
	{regexp.MustCompile(`\bautomatic updates?\b`), []string{"security.automatic_updates"}},
	{regexp.MustCompile(`\b(updates?|patch\w*|security updates?|critical updates?|aktualisierung\w*)\b`), []string{"security.missing_critical_updates", "security.last_update_age"}},
	{regexp.MustCompile(`\b(reboot|restart|neustart)\b`), []string{"system.pending_reboot"}},
	{regexp.MustCompile(`\b(smart|disk health|failing (disk|drive)s?|bad sectors?|reallocated|pending sectors?|dying (disk|drive)s?)\b`), []string{"storage.smart_health", "storage.smart_reallocated_sectors", "storage.smart_pending_sectors"}},
	{regexp.MustCompile(`\b(ssd wear|worn)\b`), []string{"storage.ssd_wear"}},
	{regexp.MustCompile(`\b(raid|storage pool)\b`), []string{"storage.array_health"}},
	{regexp.MustCompile(`\b(disk|disks|drive|drives|volume|volumes|storage)\b`), []string{"storage.volume_free_space"}},
	{regexp.MustCompile(`\b(crash\w*|absturz|abstürze)\b`), []string{"logs.app_crashes", "logs.system_crashes"}},
	{regexp.MustCompile(`\b(end of life|end-of-life|eol|unsupported|out of support)\b`), []string{"system.os_end_of_life", "software.end_of_life"}},
	{regexp.MustCompile(`\bscreen ?lock\b`), []string{"security.screen_lock"}},
	{regexp.MustCompile(`\bsecure ?boot\b`), []string{"security.secure_boot"}},
	{regexp.MustCompile(`\b(local admins?|administrators?)\b`), []string{"security.local_admins"}},
	{regexp.MustCompile(`\bbatter(y|ies)\b`), []string{"hardware.battery_capacity"}},
	{regexp.MustCompile(`\b(memory|ram)\b`), []string{"performance.memory"}},
	{regexp.MustCompile(`\bcpu\b`), []string{"performance.cpu"}},
	{regexp.MustCompile(`\b(brute.?force|failed logons?|failed logins?)\b`), []string{"logs.failed_logon_burst", "logs.failed_logons"}},
	{regexp.MustCompile(`\b(temperature|hot|overheat\w*)\b`), []string{"storage.disk_temperature"}},
	{regexp.MustCompile(`\buptime\b`), []string{"system.uptime"}},
	{regexp.MustCompile(`\bservices?\b`), []string{"system.services"}},
	{regexp.MustCompile(`\bdrivers?\b`), []string{"platform.windows_drivers"}},
	{regexp.MustCompile(`\bdns\b`), []string{"network.dns_servers"}},
	{regexp.MustCompile(`\bssh\b`), []string{"security.ssh_server"}},
	{regexp.MustCompile(`\b(swap|page ?file)\b`), []string{"performance.swap"}},
	{regexp.MustCompile(`\b(hardware age|old hardware|old machines?)\b`), []string{"hardware.age"}},
}

// checksIn returns the checks a question names: by keyword, by title or
// by id.
func checksIn(q string) []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if !contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, c := range analyzer.Catalogue() {
		if strings.Contains(q, c.ID) {
			add(c.ID)
		}
	}
	for _, w := range checkWords {
		if w.re.MatchString(q) {
			add(w.checks...)
		}
	}
	for _, c := range analyzer.Catalogue() {
		if t := strings.ToLower(c.Title); len(t) > 6 && strings.Contains(q, t) {
			add(c.ID)
		}
	}
	return out
}

// program returns the program a software question is about.
func program(q string) string {
	for _, re := range reProgram {
		m := re.FindStringSubmatch(q)
		if m == nil {
			continue
		}
		p := strings.Trim(m[1], " .?!,;:\"'")
		for _, stop := range []string{"the ", "a ", "an ", "any ", "some ", "software ", "program ", "app "} {
			p = strings.TrimPrefix(p, stop)
		}
		for _, stop := range []string{" installed", " software", " program", " app"} {
			p = strings.TrimSuffix(p, stop)
		}
		if p != "" && !generic[p] {
			return p
		}
	}
	return ""
}

var generic = map[string]bool{"it": true, "this": true, "that": true, "software": true, "devices": true, "machines": true, "problems": true,
	"issues": true, "findings": true, "data": true, "what": true, "which": true}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
