"""The GraphQL document the report command runs: the renderers read exactly this shape."""

from __future__ import annotations

MIDTERM_REPORT = """
query MidtermReport($state: String!, $cycle: Int!, $audience: ReportAudienceInput) {
  midtermReport(state: $state, cycle: $cycle, audience: $audience) {
    state { code name }
    cycle
    session { number }
    reviewDate
    adoptionDate
    reportSymbol
    midtermDate
    generatedAt
    audience { kind coalitionName }
    recommendations {
      paragraph text response responseWording actionCategory
      themes { name }
      recommendingStates { name }
      latestAssessments { organisation { name } status assessedOn evidence sourceUrl }
    }
    summary {
      recommendations
      byResponse { response count }
      byImplementationStatus { status count }
      notAssessed
    }
    statusByTheme {
      theme { name }
      recommendations
      byImplementationStatus { status count }
      notAssessed
    }
    activitiesHeld {
      title kind startsOn endsOn city
      country { name }
      organisers { name }
    }
  }
}
"""

COALITIONS = """
query Coalitions($after: String) {
  coalitions(first: 100, after: $after) {
    nodes { id name myStatus }
    pageInfo { hasNextPage endCursor }
  }
}
"""
