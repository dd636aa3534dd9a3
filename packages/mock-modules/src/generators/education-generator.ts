import type { Generator } from "./generator.js";
import { padded, recentIso } from "./generator.js";

const COURSES = [
  { id: "math-101", title: "Algebra I", lessons: 24 },
  { id: "math-201", title: "Calculus", lessons: 30 },
  { id: "phys-110", title: "Mechanics", lessons: 18 },
  { id: "chem-120", title: "General Chemistry", lessons: 20 },
  { id: "hist-210", title: "Modern History", lessons: 16 },
  { id: "lang-es1", title: "Spanish for Beginners", lessons: 40 },
  { id: "cs-150", title: "Programming Fundamentals", lessons: 28 },
  { id: "art-105", title: "Drawing Basics", lessons: 12 },
] as const;

/** Activity kinds and how often they occur; videos and readings have no score. */
const ACTIVITIES = [
  ["video", 4],
  ["reading", 3],
  ["exercise", 3],
  ["quiz", 2],
] as const;

/** Typical time on one activity, in seconds: a 3–25 min video, a 2–15 min reading, and so on. */
const TIME_SPENT: Record<(typeof ACTIVITIES)[number][0], readonly [number, number]> = {
  video: [180, 1500],
  reading: [120, 900],
  exercise: [300, 2400],
  quiz: [240, 1200],
};

/** A population of 60 learners, so the same learner shows up again across a run. */
const LEARNERS = 60;

/** Learner progress: one learner finished (or left) one activity of one lesson. */
export const educationGenerator: Generator = (rng, { now }) => {
  const course = rng.pick(COURSES);
  const lesson = rng.int(1, course.lessons);
  const activity = rng.weighted(ACTIVITIES);
  const [minTime, maxTime] = TIME_SPENT[activity];
  const scored = activity === "quiz" || activity === "exercise";
  const completed = rng.chance(0.85);
  // Scores cluster around 0.75: the mean of two uniform draws gives a gentle bell.
  const score = Math.round(((rng.next() + rng.next()) / 2) * 0.6 * 100 + 40) / 100;
  return {
    learner_id: `learner-${padded(rng.int(1, LEARNERS), 4)}`,
    course: { id: course.id, title: course.title },
    lesson,
    activity,
    completed,
    ...(scored && completed
      ? {
          score: Math.min(score, 1),
          attempt: rng.weighted([
            [1, 6],
            [2, 3],
            [3, 1],
          ] as const),
        }
      : {}),
    time_spent_seconds: rng.int(minTime, maxTime),
    progress_percent: Math.round(((lesson - (completed ? 0 : 1)) / course.lessons) * 100),
    recorded_at: recentIso(rng, now, 60),
  };
};
