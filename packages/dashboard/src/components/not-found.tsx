/** A dead link: say so, and offer the pages that exist. */
export function NotFoundPage(props: { path: string }) {
  return (
    <main id="main" class="page not-found">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{props.path}</code>. It may have moved, or the link may be mistyped.
      </p>
      <ul>
        <li>
          <a href="/">Executive overview</a>
        </li>
        <li>
          <a href="/alerts">Alerts</a>
        </li>
        <li>
          <a href="/reports">Reports</a>
        </li>
        <li>
          <a href="/decisions">Decisions</a>
        </li>
      </ul>
    </main>
  );
}
