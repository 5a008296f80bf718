// Every GraphQL operation the console sends, in one place, written against the schema
// (`python -c "from api.schema import build_schema; print(build_schema().as_str())"`).

export const VIEWER = `query Viewer { viewer { name role } }`;

// ---- PR -----------------------------------------------------------------------------------

const ALERT_FIELDS = `id severity status subjectId subjectName raisedAt acknowledgedAt acknowledgedBy
  summary negativeRate baselineRate`;

export const ALERTS = `query Alerts($first: Int!) { alerts(first: $first) { items { ${ALERT_FIELDS} } } }`;

export const ALERT_RAISED = `subscription AlertRaised { alertRaised { ${ALERT_FIELDS} } }`;

export const ACKNOWLEDGE_ALERT = `mutation Acknowledge($id: ID!) {
  acknowledgeAlert(id: $id) { id status acknowledgedAt acknowledgedBy }
}`;

export const CRISIS_CASES = `query CrisisCases { crisisCases(status: OPEN) {
  id title status openedAt subjectName
  steps { id title owner deadline done doneAt doneBy }
} }`;

export const COMPLETE_STEP = `mutation CompleteStep($caseId: ID!, $stepId: ID!) {
  completeStep(caseId: $caseId, stepId: $stepId) { id done doneAt doneBy }
}`;

export const SENTIMENT_TREND = `query Trend($subjectId: ID!, $from: DateTime, $to: DateTime) {
  sentimentTrend(subjectId: $subjectId, bucket: DAY, from: $from, to: $to) {
    thresholds { name negativeRate }
    points { start negative neutral positive }
  }
}`;

export const STORIES = `query Stories($subjectId: ID!, $from: DateTime, $to: DateTime) {
  stories(subjectId: $subjectId, from: $from, to: $to, first: 20) {
    id title firstSeen sentiment mentionCount
    sources { feed link publishedAt }
  }
}`;

// ---- Risk ---------------------------------------------------------------------------------

export const SEARCH_PARTIES = `query Search($query: String!) {
  searchParties(query: $query, first: 20) { id kind name ref }
}`;

const GRAPH_FIELDS = `nodes { id kind label } edges { source target kind }`;

export const NETWORK = `query Network($partyId: ID!, $depth: Int!) {
  network(partyId: $partyId, depth: $depth, first: 200) { ${GRAPH_FIELDS} }
}`;

export const PATH = `query Path($fromId: ID!, $toId: ID!) {
  path(fromId: $fromId, toId: $toId, maxHops: 6) { ${GRAPH_FIELDS} }
}`;

export const RINGS = `query Rings { rings(minSize: 3, first: 20) {
  items { id identifierKind identifierMasked members { id kind name } }
} }`;

export const WATCHLIST = `query Watchlist { watchlist(status: PROPOSED, first: 50) {
  items { id status reasons proposedAt proposedBy party { id kind name } }
} }`;

export const REVIEW_WATCHLIST = `mutation Review($id: ID!, $decision: ReviewDecision!) {
  reviewWatchlistEntry(id: $id, decision: $decision) { id status }
}`;

// ---- Complaint desk -----------------------------------------------------------------------

export const COMPLAINTS = `query Complaints { complaints(filter: { open: true }, first: 200) {
  items { id complaintNo channel category status receivedAt dueAt overdue summary
    complainant { id name } }
} }`;
