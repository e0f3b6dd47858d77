# Feature-level requirements: the archive checks them on every client-document message the
# scenarios below cause (frame, identity, metadata and signature rules), so every scenario verifies them.
@area:document-creation @area:own-register-storage
@req:REQ-SRV-006 @req:REQ-DOC-012 @req:REQ-DOC-020 @req:REQ-QRY-019 @req:REQ-ARC-035 @req:REQ-DOC-040
@req:REQ-DOC-041 @req:REQ-DOC-043 @req:REQ-DOC-050 @req:REQ-DOC-051 @req:REQ-DOC-024 @req:REQ-SIG-002
@req:REQ-SU-001 @req:REQ-CASE-003
Feature: Client documents (asiakasasiakirjat) of phase 2
  Client documents are archived structured (XHTML display form and JSON)
  or as PDF/A, signed, with the metadata of the metadata model (handbook
  9, 10, 11.2).

  Background:
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system has opened a case "K" for "A"

  @about:REQ-SIG-010 @req:REQ-SIG-014 @req:REQ-SIG-007 @req:REQ-SIG-013 @req:REQ-DOC-113 @req:REQ-PH-001
  @req:REQ-ARC-011 @req:REQ-SRV-012 @req:REQ-META-010 @req:REQ-META-001 @req:REQ-SRV-011 @req:REQ-PRF-009
  @req:REQ-DOC-062 @req:REQ-SOS-012 @req:REQ-SU-002 @req:REQ-REG-002 @req:REQ-SRV-015
  Scenario: A decision is archived with the professional's signature
    When the system stores a decision "D" in case "K"
    Then the archive accepted every message of the action
    And the last message carried service request "SP17"
    And the archive holds "D" at version 1
    And the archive holds "D" in register "1"

  @req:REQ-DOC-021 @req:REQ-DOC-023 @req:REQ-SRV-004 @about:REQ-SRV-023 @req:REQ-ARC-009
  Scenario: A client plan is archived structured with its XHTML display form
    When the system stores a plan "P" in case "K"
    Then the archive accepted every message of the action
    And the archive holds "P" at version 1

  @about:REQ-SRV-022 @req:REQ-MK-007 @req:REQ-REG-002
  Scenario: A journal entry is archived as structured JSON
    When the system stores a journal entry "J" in case "K"
    Then the archive accepted every message of the action
    And the archive holds "J" in register "1"

  @req:REQ-DOC-022 @about:REQ-DOC-112 @req:REQ-SRV-004
  Scenario: An unstructured document is archived as PDF/A with its description
    When the system stores an other document "O" in case "K" with:
      | format      | pdf                      |
      | description | Hallinto-oikeuden päätös |
    Then the archive accepted every message of the action

  @about:REQ-DOC-110 @req:REQ-SRV-021 @req:REQ-DOC-111
  Scenario: An attachment is archived with its one main document
    Given the system has stored a decision "D" in case "K"
    When the system stores an attachment "L" in case "K" with:
      | main document | D   |
      | format        | pdf |
    Then the archive accepted every message of the action

  @about:REQ-MK-009
  Scenario: A document whose MittKanta display is delayed carries the ground of the delay
    When the system stores a plan "P" in case "K" with:
      | delayed days       | 30 |
      | restriction ground | 1  |
    Then the archive accepted every message of the action
    And the archive holds "P" delayed in MittKanta with ground "1"

  @about:REQ-DOC-044 @req:REQ-MK-014
  Scenario: A minor's client document says whether the guardians may see it
    Given a test client "C" aged 15
    And the system has opened a client relation for "C"
    And the system has opened a case "KC" for "C"
    When the system stores a plan "P" in case "KC" with:
      | guardian disclosure | 1 |
    Then the archive accepted every message of the action
    And the archive holds "P" with guardian disclosure code "1"

  @about:REQ-MK-022
  Scenario: No MittKanta restriction is filled in unless the professional sets one
    When the system stores a plan "P" in case "K"
    Then the archive accepted every message of the action
    And the archive holds "P" with no MittKanta restriction

  @about:REQ-META-006
  Scenario: The metadata of a client document stays within the metadata model
    When the system stores a decision "D" in case "K"
    Then the archive accepted every message of the action
    And the messages of the action had no warnings
