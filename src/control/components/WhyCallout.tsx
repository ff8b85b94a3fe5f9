import * as React from "react";
import { Callout, DefaultButton, DirectionalHint, getId, Link, type ILink } from "@fluentui/react";
import type { PolicyView, WhyView } from "../view-model";

/** "Why this tier?": a Fluent Link (it looks like one before it is hovered) opening a callout with each KPI's part of the score in plain words. */
export const WhyCallout: React.FC<{ why: WhyView; policy?: PolicyView }> = ({ why, policy }) => {
  const [open, setOpen] = React.useState(false);
  const [ids] = React.useState(() => ({
    button: getId("ct-why-button"),
    title: getId("ct-why-title"),
    dialog: getId("ct-why"),
  }));
  const button = React.useRef<ILink>(null);
  // Escape and Close put focus back on the button, so keyboard users keep their place on the form; a click
  // elsewhere (also a dismissal) leaves focus where the user clicked.
  const close = React.useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);
  return (
    <>
      <Link
        id={ids.button}
        componentRef={button}
        className="ct-why__button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-haspopup="dialog"
        aria-controls={open ? ids.dialog : undefined}
      >
        {why.button}
      </Link>
      {open && (
        <Callout
          id={ids.dialog}
          target={`#${ids.button}`}
          role="dialog"
          ariaLabelledBy={ids.title}
          onDismiss={(ev) => close(ev?.type === "keydown")}
          setInitialFocus
          directionalHint={DirectionalHint.bottomLeftEdge}
          className="ct-why"
        >
          <div className="ct-why__body">
            <h2 id={ids.title} className="ct-why__title">
              {why.title}
            </h2>
            {why.ok ? (
              <>
                <p>{why.summary}</p>
                <ul className="ct-why__list">
                  {why.lines.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <p>{why.rule}</p>
                {why.held && <p>{why.held}</p>}
              </>
            ) : (
              <>
                <p>{why.message}</p>
                <p className="ct-why__problem">{why.problem}</p>
              </>
            )}
            {policy && (
              <section className="ct-why__policy" data-testid="why-policy">
                <h3 className="ct-why__subtitle">{policy.title}</h3>
                {policy.privileges || policy.response ? (
                  <>
                    {policy.privileges && <p>{policy.privileges}</p>}
                    {policy.response && <p>{policy.response}</p>}
                  </>
                ) : (
                  <p>{policy.line}</p>
                )}
              </section>
            )}
            <DefaultButton onClick={() => close(true)}>{why.close}</DefaultButton>
          </div>
        </Callout>
      )}
    </>
  );
};
