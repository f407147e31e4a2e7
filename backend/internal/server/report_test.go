package server_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/report"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/reportschedule"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// chromium returns the Chromium the PDF tests use, or "" (the test then
// skips, unless it runs in CI).
func chromium(t *testing.T) string {
	path := os.Getenv("WEGWEISER_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		return ""
	}
	return path
}

// plainPrefix is the start of s up to its first character that HTML
// escaping could change, for finding text in a rendered page.
func plainPrefix(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != ',' && r != '.' {
			return s[:i]
		}
	}
	return s
}

// TestReportShowsTheOrganisation: the HTML report of a scored organisation
// shows its score, the trend chart, the top risks, the devices needing
// attention and the stored narrative; names are escaped; the page loads
// nothing and runs nothing; a customer gets the report of their
// organisation only; PDF is a PDF.
func TestReportShowsTheOrganisation(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		chrome := chromium(t)
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.ChromiumPath = chrome })
		ten := testenv.NewTenant(t, srv, "report")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		org := ten.Organisations[0]
		must(own.Tenant.UpdateOrganisation(ctx, &v1.UpdateOrganisationRequest{Id: org, Name: `<script>alert("x")</script> & Co`}))(t)
		submitSnapshot(t, srv, ten.Agent.Token, sick(ten.Name+"-agent"))
		waitScored(t, own, ten.Agent.DeviceID, func(r *v1.GetHealthResponse) bool { return r.GetHealth().GetBand() == v1.Band_BAND_CRITICAL })
		testenv.SettleJobs(t, srv)
		tenantID := uuid.MustParse(ten.ID)
		ref := health.Ref{Kind: health.KindOrganisation, ID: uuid.MustParse(org)}
		asTenant := bypass.AsTenant(ctx, tenantID, "test: read the organisation's narrative")
		if _, err := srv.App.Narratives.Write(ctx, tenantID, ref); err != nil {
			t.Fatal(err)
		}
		story, err := srv.App.Narratives.Stored(asTenant, ref)
		if err != nil || story == nil {
			t.Fatalf("no stored narrative (%v)", err)
		}
		orgHealth := must(own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, org)}))(t)

		res := must(own.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: org}))(t)
		page := string(res.GetContent())
		if res.GetContentType() != "text/html; charset=utf-8" || !strings.HasSuffix(res.GetFileName(), ".html") || !strings.HasPrefix(res.GetFileName(), "script-alert-x-script-co-health-") {
			t.Errorf("file %q type %q", res.GetFileName(), res.GetContentType())
		}
		score := orgHealth.GetHealth().GetScore()
		for _, want := range []string{
			`data-score="` + strconv.Itoa(int(score)) + `"`, `<svg id="trend"`, "<polyline", "Top risks by check", "Volume free space",
			"Devices needing attention", ten.Name + "-agent", `id="narrative"`, plainPrefix(story.Text),
			"How scores are computed", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co", "@page",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		for _, bad := range []string{"<script", `src="`, `href="`, "@import", "url("} {
			if strings.Contains(page, bad) {
				t.Errorf("report contains %q", bad)
			}
		}

		// A customer limited to the first organisation.
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		must(cust.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: org, PeriodDays: 90}))(t)
		_, err = cust.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: ten.Organisations[1]})
		if c := testenv.Code(err); c != "not_found" && c != "permission_denied" {
			t.Errorf("customer's report of another organisation: %s, want not_found", c)
		}
		_, err = own.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: org, PeriodDays: 400})
		if c := testenv.Code(err); c != "invalid_argument" {
			t.Errorf("400-day period: %s, want invalid_argument", c)
		}

		pdf, err := own.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: org, Format: v1.ReportFormat_REPORT_FORMAT_PDF})
		switch {
		case chrome == "" && os.Getenv("CI") == "":
			if c := testenv.Code(err); c != "unavailable" {
				t.Errorf("PDF without Chromium: %s, want unavailable", c)
			}
			t.Log("no Chromium here: PDF not checked")
		case err != nil:
			t.Fatalf("PDF: %v", err)
		default:
			if !bytes.HasPrefix(pdf.GetContent(), []byte("%PDF")) || pdf.GetContentType() != "application/pdf" {
				t.Errorf("PDF starts %q (%s)", pdf.GetContent()[:min(8, len(pdf.GetContent()))], pdf.GetContentType())
			}
			if dir := os.Getenv("WEGWEISER_REPORT_OUT"); dir != "" {
				_ = os.WriteFile(dir+"/report.pdf", pdf.GetContent(), 0o644)
				_ = os.WriteFile(dir+"/report.html", res.GetContent(), 0o644)
			}
		}
	})
}

// TestReportSchedules: schedules are validated, a due schedule mails its
// report once however often it is queued, SendReport mails now, and a
// deleted organisation takes its schedules with it.
func TestReportSchedules(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "sched")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		org := ten.Organisations[1]
		many := make([]string, 21)
		for i := range many {
			many[i] = "r" + strconv.Itoa(i) + "@example.com"
		}
		for name, req := range map[string]*v1.CreateReportScheduleRequest{
			"bad email":     {OrganisationId: org, Recipients: []string{"ok@example.com", "not an address"}},
			"no recipients": {OrganisationId: org},
			"day 29":        {OrganisationId: org, Recipients: []string{"ok@example.com"}, DayOfMonth: 29},
			"21 recipients": {OrganisationId: org, Recipients: many},
		} {
			if _, err := own.Report.CreateReportSchedule(ctx, req); testenv.Code(err) != "invalid_argument" {
				t.Errorf("%s: %s, want invalid_argument", name, testenv.Code(err))
			}
		}
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		if _, err := cust.Report.CreateReportSchedule(ctx, &v1.CreateReportScheduleRequest{OrganisationId: ten.Organisations[0], Recipients: []string{"c@example.com"}}); testenv.Code(err) != "permission_denied" {
			t.Errorf("customer creating a schedule: %s, want permission_denied", testenv.Code(err))
		}
		if _, err := cust.Report.SendReport(ctx, &v1.SendReportRequest{OrganisationId: ten.Organisations[0], Recipients: []string{"c@example.com"}}); testenv.Code(err) != "permission_denied" {
			t.Errorf("customer sending a report: %s, want permission_denied", testenv.Code(err))
		}

		const to = "monthly@example.com"
		sch := must(own.Report.CreateReportSchedule(ctx, &v1.CreateReportScheduleRequest{
			OrganisationId: org, Recipients: []string{to, "MONTHLY@example.com"}, DayOfMonth: 28, Format: v1.ReportFormat_REPORT_FORMAT_HTML,
		}))(t).GetSchedule()
		if len(sch.GetRecipients()) != 1 || sch.GetDayOfMonth() != 28 || sch.GetLastSentTime() != nil {
			t.Fatalf("schedule %s", pj(sch))
		}
		next := sch.GetNextSendTime().AsTime()
		if next.Day() != 28 || next.Hour() != 6 || !next.After(time.Now()) {
			t.Errorf("next send %s, want the 28th at 06:00 UTC", next)
		}
		list := must(own.Report.ListReportSchedules(ctx, &v1.ListReportSchedulesRequest{OrganisationId: org}))(t)
		if len(list.GetSchedules()) != 1 || list.GetSchedules()[0].GetId() != sch.GetId() {
			t.Fatalf("list %s", pj(list))
		}

		// Make it due, then queue the due schedules twice.
		id := uuid.MustParse(sch.GetId())
		asTenant := bypass.AsTenant(ctx, uuid.MustParse(ten.ID), "test: make a schedule due")
		due := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		if err := srv.App.Store.Ent.ReportSchedule.UpdateOneID(id).SetNextSendAt(due).Exec(asTenant); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := srv.App.Reports.QueueDue(ctx); err != nil {
				t.Fatal(err)
			}
			testenv.SettleJobs(t, srv)
		}
		// A retry of the same month sends nothing either.
		if err := srv.App.Reports.SendScheduled(ctx, uuid.MustParse(ten.ID), id, due.Format("2006-01"), false); err != nil {
			t.Fatal(err)
		}
		got := srv.Mail.To(to)
		if len(got) != 1 {
			t.Fatalf("%d mails to %s, want 1", len(got), to)
		}
		if len(got[0].Attachments) != 1 || !strings.Contains(string(got[0].Attachments[0].Data), "Health report") ||
			got[0].Attachments[0].ContentType != "text/html; charset=utf-8" {
			t.Errorf("mail %+v", got[0].Subject)
		}
		row, err := srv.App.Store.Ent.ReportSchedule.Get(asTenant, id)
		if err != nil {
			t.Fatal(err)
		}
		if row.LastSentAt == nil || !row.NextSendAt.After(time.Now()) || row.LastError != "" || row.LastPeriod != due.Format("2006-01") {
			t.Errorf("after sending: last %v next %s error %q period %q", row.LastSentAt, row.NextSendAt, row.LastError, row.LastPeriod)
		}

		// Send now.
		const now = "now@example.com"
		must(own.Report.SendReport(ctx, &v1.SendReportRequest{OrganisationId: org, Recipients: []string{now}, Format: v1.ReportFormat_REPORT_FORMAT_HTML}))(t)
		if n := len(srv.Mail.To(now)); n != 1 {
			t.Errorf("%d mails sent now, want 1", n)
		}
		if _, err := own.Report.SendReport(ctx, &v1.SendReportRequest{OrganisationId: org, Recipients: []string{"x"}}); testenv.Code(err) != "invalid_argument" {
			t.Errorf("send to a bad address: %s", testenv.Code(err))
		}

		// A month whose mail fails is not taken: the retry sends it, once.
		const retry = "retry@example.com"
		sch2 := must(own.Report.CreateReportSchedule(ctx, &v1.CreateReportScheduleRequest{
			OrganisationId: org, Recipients: []string{retry}, DayOfMonth: 2, Format: v1.ReportFormat_REPORT_FORMAT_HTML,
		}))(t).GetSchedule()
		id2 := uuid.MustParse(sch2.GetId())
		if err := srv.App.Store.Ent.ReportSchedule.UpdateOneID(id2).SetNextSendAt(due).Exec(asTenant); err != nil {
			t.Fatal(err)
		}
		broken := report.New(srv.App.Store, srv.App.Health, srv.App.Narratives, nil, refusingSender{}, srv.App.Jobs, testenv.Logger(t))
		if err := broken.SendScheduled(ctx, uuid.MustParse(ten.ID), id2, due.Format("2006-01"), false); err == nil {
			t.Fatal("a refused mail did not fail the job")
		}
		row2, err := srv.App.Store.Ent.ReportSchedule.Get(asTenant, id2)
		if err != nil {
			t.Fatal(err)
		}
		if row2.LastPeriod != "" || row2.LastSentAt != nil || !row2.NextSendAt.Equal(due) || !strings.Contains(row2.LastError, "mailbox refused") {
			t.Errorf("after a failed send: period %q last %v next %s error %q", row2.LastPeriod, row2.LastSentAt, row2.NextSendAt, row2.LastError)
		}
		for range 2 {
			if err := srv.App.Reports.SendScheduled(ctx, uuid.MustParse(ten.ID), id2, due.Format("2006-01"), false); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(srv.Mail.To(retry)); n != 1 {
			t.Errorf("%d mails after the retry, want 1", n)
		}

		// Deleting the organisation deletes its schedule.
		must(own.Tenant.DeleteOrganisation(ctx, &v1.DeleteOrganisationRequest{Id: org, Force: true}))(t)
		if n, err := srv.App.Store.Ent.ReportSchedule.Query().Where(reportschedule.OrganisationID(uuid.MustParse(org))).Count(asTenant); err != nil || n != 0 {
			t.Errorf("%d schedules of the deleted organisation (%v)", n, err)
		}
		if _, err := own.Report.DeleteReportSchedule(ctx, &v1.DeleteReportScheduleRequest{Id: sch.GetId()}); testenv.Code(err) != "not_found" {
			t.Errorf("delete a gone schedule: %s", testenv.Code(err))
		}
		must(own.Report.DeleteReportSchedule(ctx, &v1.DeleteReportScheduleRequest{Id: ten.ReportSchedule}))(t)

		// Who scheduled and sent reports to whom is audited.
		for action, want := range map[string]int{report.AuditScheduleCreate: 3, report.AuditScheduleDelete: 1, report.AuditSend: 1} {
			n, err := srv.App.Store.Ent.AuditEvent.Query().Where(auditevent.Action(action)).Count(asTenant)
			if err != nil || n != want {
				t.Errorf("%d %s audit events, want %d (%v)", n, action, want, err)
			}
		}
	})
}

// refusingSender fails every mail.
type refusingSender struct{}

func (refusingSender) Send(context.Context, mail.Message) error { return errors.New("mailbox refused") }
