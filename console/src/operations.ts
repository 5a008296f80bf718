// Every GraphQL operation the console sends, in one place, written against the schema
// (`python -c "from api.schema import build_schema; print(build_schema().as_str())"`).

export const VIEWER = `query Viewer { viewer { name role } }`;

// ---- PR -----------------------------------------------------------------------------------

const ALERT_FIELDS = `id severity status kind subjectId subjectName openedAt updatedAt explanation
  windowCount baselineMean caseId`;

export const ALERTS = `query Alerts($first: Int!) { alerts(first: $first) { items { ${ALERT_FIELDS} } } }`;

export const ALERT_RAISED = `subscription AlertRaised { alertRaised { ${ALERT_FIELDS} } }`;

export const ACKNOWLEDGE_ALERT = `mutation Acknowledge($id: ID!) {
  acknowledgeAlert(id: $id) { id status updatedAt }
}`;

export const CRISIS_CASES = `query CrisisCases { crisisCases(status: OPEN) {
  id title status severity subjectId openedAt
  steps { id title role assignee status dueAt completedAt completedBy overdue }
} }`;

export const COMPLETE_STEP = `mutation CompleteStep($id: ID!) {
  completeStep(id: $id) { id status completedAt completedBy }
}`;

export const SENTIMENT_TREND = `query Trend($subjectId: ID!, $from: DateTime!, $to: DateTime!) {
  sentimentTrend(subjectId: $subjectId, bucket: HOUR, from: $from, to: $to) {
    bucket total negative neutral positive
  }
}`;

export const STORIES = `query Stories($subjectId: ID!, $from: DateTime!, $to: DateTime!) {
  stories(subjectId: $subjectId, from: $from, to: $to, first: 10) {
    items { id title firstSeenAt sourceCount sentiment }
  }
  mentions(subjectId: $subjectId, from: $from, to: $to, first: 100) {
    items { id title url publishedAt storyId }
  }
}`;

// ---- Risk ---------------------------------------------------------------------------------

export const SEARCH_PARTIES = `query Search($query: String!) {
  searchParties(query: $query, first: 20) { id kind name ref city }
}`;

export const NETWORK = `query Network($partyId: ID!, $depth: Int!) {
  network(partyId: $partyId, depth: $depth, first: 150) {
    nodes { id kind label fraudFlag } edges { source target kind } totalNodes hasNextPage
  }
}`;

export const PATH = `query Path($fromId: ID!, $toId: ID!) {
  path(fromId: $fromId, toId: $toId, maxHops: 4, first: 1) {
    length explanation
    nodes { id kind label fraudFlag }
    hops { source { id } target { id } relationship via { id kind label fraudFlag } }
  }
}`;

export const RINGS = `query Rings { rings(minSize: 3, first: 20) {
  totalCount
  nodes { id size score sharedIdentifiers { id kind masked } members { id kind name ref } }
} }`;

export const WATCHLIST = `query Watchlist { watchlist(status: PROPOSED, first: 50) {
  entries { id partyId partyName partyKind reason status summary source proposedBy createdAt }
} }`;

export const REVIEW_WATCHLIST = `mutation Review($id: ID!, $decision: ReviewDecision!, $comment: String!) {
  reviewWatchlistEntry(id: $id, decision: $decision, comment: $comment) { id status reviewedBy }
}`;

// ---- Complaint desk -----------------------------------------------------------------------

export const COMPLAINTS = `query Complaints {
  complaints(filter: { status: [OPEN, EXTENDED, OVERDUE] }, first: 100, orderBy: DUE_ASC) {
    edges { node {
      id complaintNo channel category status receivedAt dueAt overdue summary
      complainant { id name }
    } }
    pageInfo { hasNextPage }
  }
}`;

// ---- Front desk (frontline and claims staff) ---------------------------------------------

export const ATTENTION_FLAG = `query Attention($customerId: String, $phone: String,
  $idNumber: String, $plate: String, $language: Language) {
  attentionFlag(customerId: $customerId, phone: $phone, idNumber: $idNumber, plate: $plate,
                language: $language) {
    flagged
    matches { partyId kind maskedName maskedIdNumber maskedPhone matchedOn flagged
              reasons { code text } }
  }
}`;

export const SUGGEST_GUIDES = `query Suggest($text: String!, $category: ComplaintCategory, $language: Language) {
  suggestHandlingGuides(text: $text, category: $category, first: 5) {
    guide { key title category script } score matchedKeywords fallback why(language: $language)
  }
}`;

const FEEDBACK_FIELDS = `id kind text at category reviewStatus complaintNo about { id }`;

export const SUBMIT_FEEDBACK = `mutation Submit($kind: FrontlineFeedbackKind!, $text: String!,
  $customerNos: [String!], $claimNos: [String!], $category: ComplaintCategory) {
  submitFrontlineFeedback(kind: $kind, text: $text, customerNos: $customerNos,
                          claimNos: $claimNos, category: $category) { ${FEEDBACK_FIELDS} }
}`;

export const MY_FEEDBACK = `query MyFeedback { frontlineFeedback(first: 20, mine: true) {
  edges { node { ${FEEDBACK_FIELDS} } }
} }`;

export const CONVERT_GRIEVANCE = `mutation Convert($id: ID!) {
  convertGrievance(id: $id) {
    __typename
    ... on ConvertedGrievance { filed { complaint { complaintNo dueAt } } }
    ... on GrievanceAlreadyConvertedError { message }
    ... on UnknownCustomer { message }
    ... on UnknownSubjects { message }
  }
}`;

// ---- Claims queue ---------------------------------------------------------------------------

export const PENDING_CLAIMS = `query PendingClaims($handler: String, $minAgeDays: Int) {
  pendingClaims(filter: { handler: $handler, minAgeDays: $minAgeDays }, first: 100) {
    edges { node { id claimNo ageDays handler product holderMaskedName grievances complaints
                   holderFlagged } }
    pageInfo { hasNextPage }
  }
  pendingClaimsByHandler { handler pending oldestDays averageDays byAge { label count } }
}`;

// ---- Management -----------------------------------------------------------------------------

const REPORT_FIGURES = `received finished open onTime late onTimeRate averageHandlingDays
  ageing { bucket open } surveyed satisfactionRate compensation { amount currency }`;

export const COMPLAINT_REPORT = `query ComplaintReport($from: DateTime!, $to: DateTime!,
    $groupBy: [ReportDimension!]) {
  complaintReport(from: $from, to: $to, groupBy: $groupBy) {
    asOf groupBy
    groups { keys { dimension key label } figures { ${REPORT_FIGURES} } }
    total { ${REPORT_FIGURES} }
  }
}`;

export const REGULATOR_REPORT = `query RegulatorReport($from: DateTime!, $to: DateTime!) {
  regulatorComplaintReport(from: $from, to: $to) {
    lines { category { code kind nameZh } coarseCategory figures { received finished onTime late onTimeRate } }
    subtotals { kind nameZh figures { received } }
    total { received finished onTime late onTimeRate }
  }
}`;
