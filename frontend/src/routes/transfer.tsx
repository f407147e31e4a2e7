import { TransferPage } from "../features/transfer/TransferPage";

/** /transfer: CSV import (transfer.import) and export (transfer.export). */
export default function TransferRoute() {
  return <TransferPage />;
}
