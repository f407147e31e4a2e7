import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useMarkTourSeen, useSeenTours } from "./hooks";
import { autoplayAllowed, TOURS, type TourStep } from "./tours";

/**
 * TourButton is the "Take the tour" button of a page. The tour plays by
 * itself the first time a user opens the page (unless autoplay is off, see
 * tours.ts), and ending or skipping it marks it seen for that user.
 */
export function TourButton({ tourId }: { tourId: string }) {
  const steps = TOURS[tourId];
  const seen = useSeenTours();
  const mark = useMarkTourSeen();
  // "auto" until the user starts or ends the tour: then it plays only if
  // this user has not seen it and autoplay is on.
  const [choice, setChoice] = useState<"auto" | "running" | "closed">("auto");
  const [allowed] = useState(autoplayAllowed);
  const running =
    choice === "running" || (choice === "auto" && allowed && seen.data !== undefined && !seen.data.tourIds.includes(tourId));

  const { mutate } = mark;
  const end = useCallback(() => {
    setChoice("closed");
    mutate({ tourId, seen: true });
  }, [mutate, tourId]);

  if (!steps) return null;
  return (
    <>
      <button
        type="button"
        className="btn tour-button"
        data-tour="tour-button"
        aria-haspopup="dialog"
        onClick={() => setChoice("running")}
      >
        <span aria-hidden="true">?</span> Take the tour
      </button>
      {running && <Tour steps={steps} onEnd={end} />}
    </>
  );
}

interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
}

function targetOf(step: TourStep | undefined): HTMLElement | null {
  if (!step) return null;
  return document.querySelector<HTMLElement>(`[data-tour="${CSS.escape(step.target)}"]`);
}

/**
 * Tour walks through steps: it highlights each step's element and shows a
 * small dialog next to it with Back, Next and Skip. Escape closes it; focus
 * moves into the dialog, stays there, and goes back to where it was.
 */
export function Tour({ steps, onEnd }: { steps: TourStep[]; onEnd: () => void }) {
  const [index, setIndex] = useState(0);
  const [box, setBox] = useState<Box | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const step = steps[index];
  const last = index === steps.length - 1;

  // Focus goes into the dialog and back to the opener afterwards.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    return () => before?.focus?.();
  }, []);

  useLayoutEffect(() => {
    const el = targetOf(step);
    const measure = () => {
      const r = el?.getBoundingClientRect();
      setBox(r && r.width + r.height > 0 ? { top: r.top, left: r.left, width: r.width, height: r.height } : null);
    };
    el?.scrollIntoView?.({ block: "nearest" });
    measure();
    window.addEventListener("resize", measure);
    window.addEventListener("scroll", measure, true);
    dialog.current?.focus();
    return () => {
      window.removeEventListener("resize", measure);
      window.removeEventListener("scroll", measure, true);
    };
  }, [step]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onEnd();
      return;
    }
    if (e.key === "ArrowRight" && !last) setIndex(index + 1);
    if (e.key === "ArrowLeft" && index > 0) setIndex(index - 1);
    if (e.key === "Tab" && dialog.current) {
      // Keep focus inside the dialog.
      const items = dialog.current.querySelectorAll<HTMLElement>("button");
      const first = items[0];
      const end = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === dialog.current)) {
        e.preventDefault();
        end?.focus();
      } else if (!e.shiftKey && document.activeElement === end) {
        e.preventDefault();
        first?.focus();
      }
    }
  };

  const pad = 6;
  const width = 320;
  const height = 220; // about the dialog's height, to see whether it fits
  let style: React.CSSProperties = { top: "50%", left: "50%", transform: "translate(-50%, -50%)", width };
  if (box) {
    const left = Math.min(Math.max(8, box.left), Math.max(8, window.innerWidth - width - 8));
    const below = box.top + box.height + pad + 12;
    const above = box.top - pad - 12 - height;
    if (below + height < window.innerHeight) style = { top: below, left, width };
    else if (above >= 8) style = { top: above, left, width };
    else if (box.left + box.width + width + 24 < window.innerWidth)
      style = { top: Math.max(8, box.top), left: box.left + box.width + 18, width };
    else style = { bottom: 16, right: 16, width }; // a tall element: the dialog waits in the corner
  }
  if (!step) return null;
  const titleId = `tour-title-${index}`;
  return (
    <div className="tour" onKeyDown={onKeyDown}>
      {box ? (
        <div
          className="tour-highlight"
          aria-hidden="true"
          style={{ top: box.top - pad, left: box.left - pad, width: box.width + 2 * pad, height: box.height + 2 * pad }}
        />
      ) : (
        <div className="tour-backdrop" aria-hidden="true" />
      )}
      <div
        ref={dialog}
        className="tour-dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={`${titleId}-body`}
        tabIndex={-1}
        style={style}
      >
        <p className="tour-count muted">
          Step {index + 1} of {steps.length}
        </p>
        <h2 id={titleId}>{step.title}</h2>
        <p id={`${titleId}-body`}>{step.body}</p>
        <div className="row tour-actions">
          <button type="button" className="btn btn-ghost-dark btn-small" onClick={onEnd}>
            {last ? "Close" : "Skip tour"}
          </button>
          <span className="tour-spacer" />
          {index > 0 && (
            <button type="button" className="btn btn-small" onClick={() => setIndex(index - 1)}>
              Back
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary btn-small"
            onClick={() => (last ? onEnd() : setIndex(index + 1))}
          >
            {last ? "Done" : "Next"}
          </button>
        </div>
      </div>
    </div>
  );
}
