package install

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf16"
)

func opts(goos string) Options {
	o := Options{GOOS: goos, Binary: "/usr/local/bin/wegweiser-agent", Source: "/tmp/build/wegweiser-agent", StateDir: "/var/lib/wegweiser-agent", Systemd: true}
	switch goos {
	case "darwin":
		o.StateDir = "/Library/Application Support/Wegweiser"
	case "windows":
		o.Binary = `C:\Program Files\Wegweiser\wegweiser-agent.exe`
		o.Source = `C:\Users\admin\Downloads\wegweiser-agent.exe`
		o.StateDir = `C:\ProgramData\Wegweiser`
		o.TempDir = `C:\Windows\Temp`
	}
	return o
}

func TestSystemdUnit(t *testing.T) {
	o := opts("linux")
	o.ExtraArgs = []string{"--spool-max-bytes", "1048576"}
	u := SystemdUnit(o)
	for _, want := range []string{
		"[Unit]\nDescription=Wegweiser endpoint agent\n",
		"After=network-online.target\n",
		"ExecStart=/usr/local/bin/wegweiser-agent run --state-dir /var/lib/wegweiser-agent --spool-max-bytes 1048576\n",
		"Restart=always\n",
		"KillSignal=SIGTERM\n",
		"[Install]\nWantedBy=multi-user.target\n",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("unit lacks %q:\n%s", want, u)
		}
	}
	o.StateDir = "/srv/ww state/100%"
	if u := SystemdUnit(o); !strings.Contains(u, `--state-dir "/srv/ww state/100%%"`) {
		t.Errorf("state dir not quoted for systemd:\n%s", u)
	}
	// The agent replaces its own binary: its folder stays writable under
	// ProtectSystem, unless self-update is off.
	if !strings.Contains(u, "ProtectSystem=full\nReadWritePaths=/usr/local/bin\n") {
		t.Errorf("binary folder not writable for self-update:\n%s", u)
	}
	o.ExtraArgs = append(o.ExtraArgs, "--no-self-update")
	if u := SystemdUnit(o); strings.Contains(u, "ReadWritePaths") {
		t.Errorf("binary folder writable without self-update:\n%s", u)
	}
}

func TestLinuxPlans(t *testing.T) {
	p, err := InstallPlan(opts("linux"))
	if err != nil {
		t.Fatal(err)
	}
	s := p.String()
	for _, want := range []string{
		"copy /tmp/build/wegweiser-agent -> /usr/local/bin/wegweiser-agent (mode 0755)\n",
		"write /etc/systemd/system/wegweiser-agent.service (mode 0644):\n    [Unit]\n",
		"run: systemctl daemon-reload\n",
		"run: systemctl enable --now wegweiser-agent.service\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("dry run lacks %q:\n%s", want, s)
		}
	}

	o := opts("linux")
	o.Systemd = false
	p, _ = InstallPlan(o)
	s = p.String()
	if !strings.Contains(s, "write /etc/cron.d/wegweiser-agent (mode 0644):") ||
		!strings.Contains(s, "    @reboot root /usr/local/bin/wegweiser-agent run --state-dir /var/lib/wegweiser-agent >>/var/log/wegweiser-agent.log 2>&1\n") ||
		!strings.Contains(s, "    */5 * * * * root /usr/local/bin/wegweiser-agent run --state-dir /var/lib/wegweiser-agent >>/var/log/wegweiser-agent.log 2>&1\n") {
		t.Errorf("cron plan:\n%s", s)
	}

	u, _ := UninstallPlan(opts("linux"))
	s = u.String()
	if !strings.Contains(s, "run: systemctl disable --now wegweiser-agent.service   (failure ignored)\nremove /etc/systemd/system/wegweiser-agent.service\n") ||
		!strings.Contains(s, "remove /usr/local/bin/wegweiser-agent\n") || strings.Contains(s, "/var/lib/wegweiser-agent") {
		t.Errorf("uninstall plan:\n%s", s)
	}
	o = opts("linux")
	o.Purge = true
	u, _ = UninstallPlan(o)
	if !strings.Contains(u.String(), "remove /var/lib/wegweiser-agent and everything in it\n") {
		t.Errorf("purge plan:\n%s", u.String())
	}
}

func TestLaunchdPlist(t *testing.T) {
	o := opts("darwin")
	plist := LaunchdPlist(o)
	if !strings.HasPrefix(plist, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatal("no XML header")
	}
	var doc struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Value   string   `xml:",chardata"`
				Strings []string `xml:"string"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(plist), &doc); err != nil {
		t.Fatalf("plist is not XML: %v\n%s", err, plist)
	}
	kv := map[string]int{}
	for i, it := range doc.Dict.Items {
		if it.XMLName.Local == "key" {
			kv[it.Value] = i + 1
		}
	}
	items := doc.Dict.Items
	if items[kv["Label"]].Value != "com.wegweiser.agent" {
		t.Errorf("label = %q", items[kv["Label"]].Value)
	}
	args := items[kv["ProgramArguments"]].Strings
	if strings.Join(args, "|") != "/usr/local/bin/wegweiser-agent|run|--state-dir|/Library/Application Support/Wegweiser" {
		t.Errorf("arguments = %q", args)
	}
	if items[kv["RunAtLoad"]].XMLName.Local != "true" || items[kv["KeepAlive"]].XMLName.Local != "true" {
		t.Error("RunAtLoad/KeepAlive not true")
	}
	p, _ := InstallPlan(o)
	s := p.String()
	if !strings.Contains(s, "write /Library/LaunchDaemons/com.wegweiser.agent.plist (mode 0644):") ||
		!strings.Contains(s, "run: launchctl bootstrap system /Library/LaunchDaemons/com.wegweiser.agent.plist\n") {
		t.Errorf("plan:\n%s", s)
	}
	u, _ := UninstallPlan(o)
	if !strings.Contains(u.String(), "run: launchctl bootout system/com.wegweiser.agent") {
		t.Errorf("uninstall:\n%s", u.String())
	}
}

func TestWindowsTask(t *testing.T) {
	o := opts("windows")
	task := TaskXML(o)
	var doc struct {
		Triggers struct {
			Boot struct {
				Enabled bool `xml:"Enabled"`
			} `xml:"BootTrigger"`
		} `xml:"Triggers"`
		Principal struct {
			UserID string `xml:"UserId"`
		} `xml:"Principals>Principal"`
		Settings struct {
			ExecutionTimeLimit string `xml:"ExecutionTimeLimit"`
			Multiple           string `xml:"MultipleInstancesPolicy"`
			StopOnBattery      bool   `xml:"StopIfGoingOnBatteries"`
		} `xml:"Settings"`
		Exec struct {
			Command   string `xml:"Command"`
			Arguments string `xml:"Arguments"`
		} `xml:"Actions>Exec"`
	}
	// encoding/xml refuses a UTF-16 declaration on a Go string; the file
	// itself is written as UTF-16.
	body := strings.Replace(task, `encoding="UTF-16"`, `encoding="UTF-8"`, 1)
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("task is not XML: %v", err)
	}
	if !doc.Triggers.Boot.Enabled || doc.Principal.UserID != "S-1-5-18" || doc.Settings.ExecutionTimeLimit != "PT0S" ||
		doc.Settings.Multiple != "IgnoreNew" || doc.Settings.StopOnBattery {
		t.Errorf("task = %+v", doc)
	}
	if doc.Exec.Command != `C:\Program Files\Wegweiser\wegweiser-agent.exe` || doc.Exec.Arguments != `run --state-dir C:\ProgramData\Wegweiser` {
		t.Errorf("exec = %+v", doc.Exec)
	}
	o.StateDir = `D:\Wegweiser Data\`
	body = strings.Replace(TaskXML(o), `encoding="UTF-16"`, `encoding="UTF-8"`, 1)
	if err := xml.Unmarshal([]byte(body), &doc); err != nil || doc.Exec.Arguments != `run --state-dir "D:\Wegweiser Data\\"` {
		t.Errorf("quoting: %q, %v", doc.Exec.Arguments, err)
	}

	p, err := InstallPlan(opts("windows"))
	if err != nil {
		t.Fatal(err)
	}
	s := p.String()
	if !strings.Contains(s, "schtasks /Create /TN 'Wegweiser Agent' /XML ") || !strings.Contains(s, "<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>") ||
		!strings.HasPrefix(s, "run: schtasks /End /TN 'Wegweiser Agent'   (failure ignored)\ncopy ") {
		t.Errorf("plan:\n%s", s)
	}
	// The file is UTF-16LE with a byte-order mark and CRLF line ends.
	for _, st := range p.Steps {
		if st.Kind != "write" {
			continue
		}
		c := st.Content
		if c[0] != 0xff || c[1] != 0xfe {
			t.Fatal("no UTF-16LE byte-order mark")
		}
		u := make([]uint16, 0, len(c)/2)
		for i := 2; i+1 < len(c); i += 2 {
			u = append(u, uint16(c[i])|uint16(c[i+1])<<8)
		}
		text := string(utf16.Decode(u))
		if !strings.HasPrefix(text, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task") {
			t.Errorf("decoded file starts %q", text[:60])
		}
	}
	u, _ := UninstallPlan(opts("windows"))
	if !strings.Contains(u.String(), "run: schtasks /Delete /TN 'Wegweiser Agent' /F\n") {
		t.Errorf("uninstall:\n%s", u.String())
	}
}

func TestUnsupportedOS(t *testing.T) {
	if _, err := InstallPlan(Options{GOOS: "plan9", Binary: "/bin/x"}); err == nil {
		t.Fatal("plan9 install accepted")
	}
}
