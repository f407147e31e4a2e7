// Package transferapi serves wegweiser.v1.TransferService: CSV import and
// export of organisations, groups and devices.
package transferapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/transfer"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements TransferService.
type Service struct{ svc *transfer.Service }

var _ wegweiserv1connect.TransferServiceHandler = (*Service)(nil)

// New returns the handler.
func New(svc *transfer.Service) *Service { return &Service{svc: svc} }

func kindOf(k v1.TransferKind) (transfer.Kind, error) {
	switch k {
	case v1.TransferKind_TRANSFER_KIND_ORGANISATIONS:
		return transfer.KindOrganisations, nil
	case v1.TransferKind_TRANSFER_KIND_GROUPS:
		return transfer.KindGroups, nil
	case v1.TransferKind_TRANSFER_KIND_DEVICES:
		return transfer.KindDevices, nil
	}
	return 0, apperr.Invalid("kind", "must be organisations, groups or devices")
}

var actions = map[transfer.Action]v1.ImportAction{
	transfer.ActionNone:      v1.ImportAction_IMPORT_ACTION_UNSPECIFIED,
	transfer.ActionCreate:    v1.ImportAction_IMPORT_ACTION_CREATE,
	transfer.ActionUpdate:    v1.ImportAction_IMPORT_ACTION_UPDATE,
	transfer.ActionUnchanged: v1.ImportAction_IMPORT_ACTION_UNCHANGED,
}

// GetImportTemplate implements TransferService.GetImportTemplate.
func (s *Service) GetImportTemplate(_ context.Context, req *v1.GetImportTemplateRequest) (*v1.GetImportTemplateResponse, error) {
	kind, err := kindOf(req.GetKind())
	if err != nil {
		return nil, err
	}
	f, err := s.svc.Template(kind)
	if err != nil {
		return nil, err
	}
	return &v1.GetImportTemplateResponse{FileName: f.Name, Content: f.Content}, nil
}

// PreviewImport implements TransferService.PreviewImport.
func (s *Service) PreviewImport(ctx context.Context, req *v1.PreviewImportRequest) (*v1.PreviewImportResponse, error) {
	kind, err := kindOf(req.GetKind())
	if err != nil {
		return nil, err
	}
	p, err := s.svc.PreviewImport(ctx, kind, req.GetContent())
	if err != nil {
		return nil, err
	}
	out := &v1.PreviewImportResponse{
		ContentSha256: p.SHA256, TotalRows: int32(p.Total), ErrorRows: int32(p.ErrorRows),
		CreateRows: int32(p.CreateRows), UpdateRows: int32(p.UpdateRows), UnchangedRows: int32(p.Unchanged),
		FileErrors: p.FileErrors,
	}
	for _, r := range p.Rows {
		out.Rows = append(out.Rows, &v1.ImportRow{Line: int32(r.Line), Values: r.Values, Action: actions[r.Action], Errors: r.Errors})
	}
	return out, nil
}

// CommitImport implements TransferService.CommitImport.
func (s *Service) CommitImport(ctx context.Context, req *v1.CommitImportRequest) (*v1.CommitImportResponse, error) {
	kind, err := kindOf(req.GetKind())
	if err != nil {
		return nil, err
	}
	res, err := s.svc.CommitImport(ctx, kind, req.GetContent(), req.GetContentSha256())
	if err != nil {
		return nil, err
	}
	return &v1.CommitImportResponse{Created: int32(res.Created), Updated: int32(res.Updated), Unchanged: int32(res.Unchanged)}, nil
}

// Export implements TransferService.Export.
func (s *Service) Export(ctx context.Context, req *v1.ExportRequest) (*v1.ExportResponse, error) {
	kind, err := kindOf(req.GetKind())
	if err != nil {
		return nil, err
	}
	orgID, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	f, err := s.svc.Export(ctx, kind, orgID)
	if err != nil {
		return nil, err
	}
	return &v1.ExportResponse{FileName: f.Name, Content: f.Content, Rows: int32(f.Rows)}, nil
}
