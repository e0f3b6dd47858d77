# Feature-level requirements: the archive checks them on every client-document message the
# scenarios below cause (frame, identity, metadata and signature rules), so every scenario verifies them.
@area:case-management
@req:REQ-SRV-006 @req:REQ-DOC-012 @req:REQ-DOC-020 @req:REQ-QRY-019 @req:REQ-ARC-035 @req:REQ-DOC-040
@req:REQ-DOC-041 @req:REQ-DOC-043 @req:REQ-DOC-050 @req:REQ-DOC-051 @req:REQ-DOC-024 @req:REQ-SIG-002
@req:REQ-SU-001 @req:REQ-CASE-003
Feature: Cases (asia) and joint cases (yhteinen asia)
  Every client document belongs to a case, and the case document is
  archived after the client relation document and before the case's
  documents (handbook 8, 9.3, 9.12.3).

  @req:REQ-SRV-012 @req:REQ-CASE-001 @req:REQ-CASE-003 @about:REQ-CASE-012 @req:REQ-NAME-001 @req:REQ-NAME-004 @req:REQ-DOC-031
  @req:REQ-SRV-035 @req:REQ-SRV-013 @req:REQ-CASE-008 @req:REQ-NAME-002 @req:REQ-NAME-003 @req:REQ-SRV-015
  Scenario: Opening a case archives the case document after the client relation document
    Given a test client "A"
    And the system has opened a client relation for "A"
    When the system opens a case "K" for "A"
    Then the archive accepted every message of the action
    And the archive holds case "K" as open
    And the archive holds case "K" with clients "A"

  @about:REQ-SRV-035 @req:REQ-CASE-002 @req:REQ-PRF-017
  Scenario: Closing a case archives the closing version of the case document
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system has opened a case "K" for "A"
    When the system closes case "K"
    Then the archive accepted every message of the action
    And the archive holds case "K" as closed
    And the archive holds "case:K" at version 2
    And the archive holds 2 live document sets for "A"

  @about:REQ-JC-001 @req:REQ-PRF-010 @req:REQ-DOC-045 @req:REQ-CR-010 @req:REQ-JC-003
  Scenario: A joint case names every client, and its documents belong to all of them
    Given a test client "A"
    And a test client "B"
    And the system has opened a client relation for "A"
    And the system has opened a client relation for "B"
    When the system opens a case "K" for "A" and "B"
    Then the archive accepted every message of the action
    And the archive holds case "K" with clients "A" and "B"
    When the system stores a plan "P" in case "K"
    Then the archive accepted every message of the action

  @area:own-register-storage
  @about:REQ-CASE-007 @req:REQ-REG-078 @negative
  Scenario: No document is added to a closed case
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system has opened a case "K" for "A"
    And the system closes case "K"
    When the system is asked to store a journal entry "J" in case "K"
    Then the system refused the action without sending it to the archive
    And the archive does not hold "J"

  @about:REQ-FL-001
  Scenario: In a family-law joint case every document belongs to all the case's clients
    Given a test client "A"
    And a test client "B"
    And the system has opened a client relation for "A"
    And the system has opened a client relation for "B"
    When the system opens a case "K" in service task "25" for "A" and "B"
    Then the archive accepted every message of the action
    And the archive holds case "K" with clients "A" and "B"
    When the system stores a journal entry "J" in case "K"
    Then the archive accepted every message of the action
    And the archive holds 3 live document sets for "A"
    And the archive holds 3 live document sets for "B"
